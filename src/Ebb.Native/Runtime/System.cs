// The minimal core library libebb.so is compiled against instead of the BCL: the types the C#
// compiler and NativeAOT's compiler require, and the few BCL members the allocator core calls,
// under their BCL names so the same source compiles in both builds. Nothing here allocates.
namespace System
{
    public class Object
    {
#pragma warning disable CS0649
        private IntPtr m_pEEType;
#pragma warning restore CS0649
    }

    public struct Void { }
    public struct Boolean { }
    public struct Char { }
    public struct SByte { }
    public struct Byte { }
    public struct Int16 { }
    public struct UInt16 { }
    public struct Int32 { public const int MaxValue = 0x7fffffff; public const int MinValue = unchecked((int)0x80000000); }
    public struct UInt32 { public const uint MaxValue = 0xffffffff; }
    public struct Int64 { public const long MaxValue = 0x7fffffffffffffff; public const long MinValue = unchecked((long)0x8000000000000000); }
    public struct UInt64 { public const ulong MaxValue = 0xffffffffffffffff; }
    public struct IntPtr { }
    public struct UIntPtr { }
    public struct Single { }
    public struct Double { }
    public abstract class ValueType { }
    public abstract class Enum : ValueType { }
    public struct Nullable<T> where T : struct { }
    public sealed class String
    {
        public readonly int Length;
    }
    public abstract class Array { }
    public abstract class Delegate { }
    public abstract class MulticastDelegate : Delegate { }
    public struct RuntimeTypeHandle { }
    public struct RuntimeMethodHandle { }
    public struct RuntimeFieldHandle { }
    public class Exception { }
    public class Type { }

    public class Attribute { }

    [AttributeUsage(AttributeTargets.Class, Inherited = true)]
    public sealed class AttributeUsageAttribute : Attribute
    {
        public AttributeUsageAttribute(AttributeTargets validOn) { }
        public bool AllowMultiple { get; set; }
        public bool Inherited { get; set; }
    }

    public enum AttributeTargets
    {
        Assembly = 1, Module = 2, Class = 4, Struct = 8, Enum = 16, Constructor = 32, Method = 64,
        Property = 128, Field = 256, Event = 512, Interface = 1024, Parameter = 2048, Delegate = 4096,
        ReturnValue = 8192, GenericParameter = 16384, All = 32767,
    }

    public sealed class FlagsAttribute : Attribute { }
    public sealed class ParamArrayAttribute : Attribute { }
    public sealed class ThreadStaticAttribute : Attribute { }
    public sealed class ObsoleteAttribute : Attribute { }

    /// <summary>The BCL's Math, for the members the core uses.</summary>
    public static class Math
    {
        public static int Min(int a, int b) => a <= b ? a : b;
        public static uint Min(uint a, uint b) => a <= b ? a : b;
        public static long Min(long a, long b) => a <= b ? a : b;
        public static ulong Min(ulong a, ulong b) => a <= b ? a : b;
        public static nuint Min(nuint a, nuint b) => a <= b ? a : b;
        public static int Max(int a, int b) => a >= b ? a : b;
        public static uint Max(uint a, uint b) => a >= b ? a : b;
        public static long Max(long a, long b) => a >= b ? a : b;
        public static ulong Max(ulong a, ulong b) => a >= b ? a : b;
        public static nuint Max(nuint a, nuint b) => a >= b ? a : b;
        public static long Abs(long a) => a < 0 ? -a : a;
    }

    /// <summary>Required by ILC for struct copies and array moves; the core never reaches them.</summary>
    public static unsafe class Buffer
    {
        internal static void Memmove(ref byte dest, ref byte src, nuint len)
        {
            fixed (byte* d = &dest, s = &src) Runtime.InteropServices.NativeMemory.Copy(s, d, len);
        }

        internal static void BulkMoveWithWriteBarrier(ref byte dest, ref byte src, nuint len) => Memmove(ref dest, ref src, len);
    }

    internal static unsafe class SpanHelpers
    {
        internal static void ClearWithoutReferences(ref byte b, nuint byteLength)
        {
            fixed (byte* p = &b) Runtime.InteropServices.NativeMemory.Clear(p, byteLength);
        }

        internal static void ClearWithReferences(ref IntPtr ip, nuint pointerSizeLength)
        {
            fixed (IntPtr* p = &ip) Runtime.InteropServices.NativeMemory.Clear(p, pointerSizeLength * (nuint)sizeof(IntPtr));
        }

        internal static void Fill(ref byte dest, byte value, nuint len)
        {
            fixed (byte* p = &dest) Runtime.InteropServices.NativeMemory.Fill(p, len, value);
        }

        internal static void Memmove(ref byte dest, ref byte src, nuint len) => Buffer.Memmove(ref dest, ref src, len);
    }
}

namespace System.Numerics
{
    /// <summary>The BCL's BitOperations, for the members the core uses (slow paths only).</summary>
    public static class BitOperations
    {
        public static int Log2(uint value) => Log2((ulong)value);
        public static int Log2(nuint value) => Log2((ulong)value);

        public static int Log2(ulong value)
        {
            int n = 0;
            if (value >= 1UL << 32) { value >>= 32; n += 32; }
            if (value >= 1UL << 16) { value >>= 16; n += 16; }
            if (value >= 1UL << 8) { value >>= 8; n += 8; }
            if (value >= 1UL << 4) { value >>= 4; n += 4; }
            if (value >= 1UL << 2) { value >>= 2; n += 2; }
            if (value >= 1UL << 1) n += 1;
            return n;
        }

        public static bool IsPow2(uint value) => value != 0 && (value & (value - 1)) == 0;
        public static bool IsPow2(ulong value) => value != 0 && (value & (value - 1)) == 0;
        public static bool IsPow2(nuint value) => value != 0 && (value & (value - 1)) == 0;

        public static uint RoundUpToPowerOf2(uint value)
        {
            value--;
            value |= value >> 1; value |= value >> 2; value |= value >> 4; value |= value >> 8; value |= value >> 16;
            return value + 1;
        }

        public static int PopCount(ulong value)
        {
            int n = 0;
            for (; value != 0; value &= value - 1) n++;
            return n;
        }
    }
}
