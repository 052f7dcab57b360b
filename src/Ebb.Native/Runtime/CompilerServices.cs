// Attributes and helper types the C# compiler and ILC look for by name.
namespace System.Runtime.CompilerServices
{
    public sealed class IsVolatile { }
    public static class IsExternalInit { }
    public sealed class IsReadOnlyAttribute : Attribute { }
    public sealed class IsByRefLikeAttribute : Attribute { }
    public sealed class IsUnmanagedAttribute : Attribute { }
    public sealed class ScopedRefAttribute : Attribute { }
    public sealed class RefSafetyRulesAttribute : Attribute { public RefSafetyRulesAttribute(int version) { } }
    public sealed class NullableAttribute : Attribute { public NullableAttribute(byte b) { } public NullableAttribute(byte[] b) { } }
    public sealed class NullableContextAttribute : Attribute { public NullableContextAttribute(byte b) { } }
    public sealed class CompilerGeneratedAttribute : Attribute { }
    public sealed class ExtensionAttribute : Attribute { }
    public sealed class UnsafeValueTypeAttribute : Attribute { }
    public sealed class IntrinsicAttribute : Attribute { }
    public sealed class SkipLocalsInitAttribute : Attribute { }
    public sealed class ModuleInitializerAttribute : Attribute { }
    public sealed class FixedBufferAttribute : Attribute { public FixedBufferAttribute(Type elementType, int length) { } }

    public enum MethodImplOptions
    {
        NoInlining = 8, NoOptimization = 64, AggressiveInlining = 256, AggressiveOptimization = 512, InternalCall = 4096,
    }

    public sealed class MethodImplAttribute : Attribute
    {
        public MethodImplAttribute(MethodImplOptions options) { }
    }

    public static class RuntimeFeature
    {
        public const string DefaultImplementationsOfInterfaces = nameof(DefaultImplementationsOfInterfaces);
        public const string VirtualStaticsInInterfaces = nameof(VirtualStaticsInInterfaces);
        public const string UnmanagedSignatureCallingConvention = nameof(UnmanagedSignatureCallingConvention);
        public const string NumericIntPtr = nameof(NumericIntPtr);
    }

    public static class RuntimeHelpers
    {
        public static int OffsetToStringData => 12;
    }
}

namespace System.Runtime
{
    /// <summary>Exports a method under a plain C symbol name (ILC's runtime-free export: no transition code).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class RuntimeExportAttribute : Attribute
    {
        public RuntimeExportAttribute(string entry) { }
    }

    // ILC asks for these by name; nothing in libebb.so casts objects, so they are never called.
    internal static unsafe class TypeCast
    {
        private static object IsInstanceOfAny(void* a, object b) => null;
        private static object IsInstanceOfInterface(void* a, object b) => null;
        private static object IsInstanceOfClass(void* a, object b) => null;
        private static object IsInstanceOfException(void* a, object b) => null;
        private static object CheckCastAny(void* a, object b) => null;
        private static object CheckCastInterface(void* a, object b) => null;
        private static object CheckCastClass(void* a, object b) => null;
        private static object CheckCastClassSpecial(void* a, object b) => null;
    }
}

namespace Internal.Runtime.CompilerHelpers
{
    internal static class ThrowHelpers
    {
        private static void ThrowFeatureBodyRemoved() { }
    }
}

namespace System.Runtime.InteropServices
{
    public enum LayoutKind { Sequential = 0, Explicit = 2, Auto = 3 }
    public enum CharSet { None = 1, Ansi = 2, Unicode = 3, Auto = 4 }
    public enum CallingConvention { Winapi = 1, Cdecl = 2, StdCall = 3, ThisCall = 4, FastCall = 5 }

    public sealed class StructLayoutAttribute : Attribute
    {
        public StructLayoutAttribute(LayoutKind layoutKind) { }
        public int Pack;
        public int Size;
        public CharSet CharSet;
    }

    public sealed class FieldOffsetAttribute : Attribute { public FieldOffsetAttribute(int offset) { } }
    public sealed class InAttribute : Attribute { }
    public sealed class OutAttribute : Attribute { }
    public sealed class SuppressGCTransitionAttribute : Attribute { }
    public sealed class UnmanagedCallersOnlyAttribute : Attribute { }

    public sealed class DllImportAttribute : Attribute
    {
        public DllImportAttribute(string dllName) { }
        public string EntryPoint;
        public bool SetLastError;
        public bool ExactSpelling;
        public CallingConvention CallingConvention;
    }

    public interface IDynamicInterfaceCastable
    {
        static RuntimeTypeHandle GetDynamicInterfaceImplementation(object instance, RuntimeTypeHandle interfaceType) => default;
    }

    /// <summary>The BCL's NativeMemory, for the members the core uses: libc's memset and memmove.</summary>
    public static unsafe class NativeMemory
    {
        [DllImport("libc", EntryPoint = "memset")]
        [SuppressGCTransition]
        private static extern void* memset(void* p, int c, nuint n);

        [DllImport("libc", EntryPoint = "memmove")]
        [SuppressGCTransition]
        private static extern void* memmove(void* d, void* s, nuint n);

        public static void Clear(void* ptr, nuint byteCount) => memset(ptr, 0, byteCount);
        public static void Fill(void* ptr, nuint byteCount, byte value) => memset(ptr, value, byteCount);
        public static void Copy(void* source, void* destination, nuint byteCount) => memmove(destination, source, byteCount);
    }
}

namespace System.Diagnostics
{
    public sealed class ConditionalAttribute : Attribute { public ConditionalAttribute(string conditionString) { } }

    /// <summary>Debug.Assert: in a Debug build of libebb.so, a failed assertion aborts with its message.</summary>
    public static unsafe class Debug
    {
        [Conditional("DEBUG")]
        public static void Assert(bool condition) { if (!condition) Ebb.NativeHost.Fatal.Abort(null); }

        [Conditional("DEBUG")]
        public static void Assert(bool condition, string message) { if (!condition) Ebb.NativeHost.Fatal.Abort(message); }
    }
}

namespace System.Diagnostics.CodeAnalysis
{
    public sealed class DoesNotReturnAttribute : Attribute { }
    public sealed class NotNullWhenAttribute : Attribute { public NotNullWhenAttribute(bool b) { } }
    public sealed class MaybeNullWhenAttribute : Attribute { public MaybeNullWhenAttribute(bool b) { } }
}
