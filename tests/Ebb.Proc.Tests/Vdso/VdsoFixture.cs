using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Ebb.Proc.Tests.Vdso;

/// <summary>The saved vDSO image and small tools to corrupt copies of it.</summary>
internal static class VdsoFixture
{
    // Dumped from a 6.18 x86-64 kernel with `ebb vdso --dump` (the whole [vdso] mapping, 8192 bytes).
    public const string Name = "vdso-6.18-x86_64.so";

    public static string PathOf(string name = Name, [CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "fixtures", "vdso", name);

    public static byte[] Bytes() => File.ReadAllBytes(PathOf());

    // The file offset of the dynamic entry with this tag (the image's vaddrs equal its offsets).
    public static int DynamicEntry(byte[] image, long tag)
    {
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(32));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(56));
        for (int i = 0; i < phnum; i++)
        {
            var ph = image.AsSpan((int)phoff + i * 56);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) != 2) continue;
            int dyn = (int)BinaryPrimitives.ReadUInt64LittleEndian(ph.Slice(8));
            for (int at = dyn; ; at += 16)
            {
                long t = BinaryPrimitives.ReadInt64LittleEndian(image.AsSpan(at));
                if (t == tag) return at;
                if (t == 0) throw new InvalidOperationException($"no dynamic tag 0x{tag:x}");
            }
        }
        throw new InvalidOperationException("no PT_DYNAMIC");
    }

    // Where the PT_DYNAMIC segment ends in the file (p_offset + p_filesz).
    public static int DynamicEnd(byte[] image)
    {
        ulong phoff = BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(32));
        int phnum = BinaryPrimitives.ReadUInt16LittleEndian(image.AsSpan(56));
        for (int i = 0; i < phnum; i++)
        {
            var ph = image.AsSpan((int)phoff + i * 56);
            if (BinaryPrimitives.ReadUInt32LittleEndian(ph) == 2)
                return (int)(BinaryPrimitives.ReadUInt64LittleEndian(ph.Slice(8)) + BinaryPrimitives.ReadUInt64LittleEndian(ph.Slice(32)));
        }
        throw new InvalidOperationException("no PT_DYNAMIC");
    }

    public static ulong DynamicValue(byte[] image, long tag) =>
        BinaryPrimitives.ReadUInt64LittleEndian(image.AsSpan(DynamicEntry(image, tag) + 8));

    // Turns a dynamic entry into one the parser ignores (DT_SYMBOLIC), as if the tag were absent.
    public static void Remove(byte[] image, long tag) =>
        BinaryPrimitives.WriteInt64LittleEndian(image.AsSpan(DynamicEntry(image, tag)), 0x10);

    public static void SetValue(byte[] image, long tag, ulong value) =>
        BinaryPrimitives.WriteUInt64LittleEndian(image.AsSpan(DynamicEntry(image, tag) + 8), value);
}
