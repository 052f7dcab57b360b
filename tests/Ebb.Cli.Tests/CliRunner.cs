namespace Ebb.Cli.Tests;

/// <summary>Runs <c>ebb ARGS</c> in this process, as the tests of every verb do.</summary>
internal static class CliRunner
{
    /// <summary>Cli.Run with captured output: the exit code, stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }
}
