using System.Runtime.CompilerServices;

namespace System.Threading
{
    /// <summary>The BCL's Interlocked: the compiler expands the [Intrinsic] ones to lock-prefixed instructions.</summary>
    public static unsafe class Interlocked
    {
        [Intrinsic]
        public static int CompareExchange(ref int location1, int value, int comparand) => CompareExchange(ref location1, value, comparand);

        [Intrinsic]
        public static long CompareExchange(ref long location1, long value, long comparand) => CompareExchange(ref location1, value, comparand);

        public static nint CompareExchange(ref nint location1, nint value, nint comparand)
        {
            fixed (nint* p = &location1) return (nint)CompareExchange(ref *(long*)p, value, comparand);
        }

        [Intrinsic]
        public static int Exchange(ref int location1, int value) => Exchange(ref location1, value);

        [Intrinsic]
        public static long Exchange(ref long location1, long value) => Exchange(ref location1, value);

        public static nint Exchange(ref nint location1, nint value)
        {
            fixed (nint* p = &location1) return (nint)Exchange(ref *(long*)p, value);
        }

        [Intrinsic]
        private static int ExchangeAdd(ref int location1, int value) => ExchangeAdd(ref location1, value);

        [Intrinsic]
        private static long ExchangeAdd(ref long location1, long value) => ExchangeAdd(ref location1, value);

        public static int Add(ref int location1, int value) => ExchangeAdd(ref location1, value) + value;
        public static long Add(ref long location1, long value) => ExchangeAdd(ref location1, value) + value;
        public static int Increment(ref int location) => Add(ref location, 1);
        public static long Increment(ref long location) => Add(ref location, 1);
        public static int Decrement(ref int location) => Add(ref location, -1);
        public static long Decrement(ref long location) => Add(ref location, -1);
    }

    /// <summary>The BCL's Volatile: reads and writes through a volatile field (on x86-64, plain moves the compiler may not reorder or cache).</summary>
    public static unsafe class Volatile
    {
        private struct VInt { public volatile int Value; }
        private struct VPtr { public volatile void* Value; }
        private struct VBool { public volatile bool Value; }

        public static int Read(ref int location) { fixed (int* p = &location) return ((VInt*)p)->Value; }
        public static void Write(ref int location, int value) { fixed (int* p = &location) ((VInt*)p)->Value = value; }
        public static long Read(ref long location) { fixed (long* p = &location) return (long)((VPtr*)p)->Value; }
        public static void Write(ref long location, long value) { fixed (long* p = &location) ((VPtr*)p)->Value = (void*)value; }
        public static nint Read(ref nint location) { fixed (nint* p = &location) return (nint)((VPtr*)p)->Value; }
        public static void Write(ref nint location, nint value) { fixed (nint* p = &location) ((VPtr*)p)->Value = (void*)value; }
        public static bool Read(ref bool location) { fixed (bool* p = &location) return ((VBool*)p)->Value; }
        public static void Write(ref bool location, bool value) { fixed (bool* p = &location) ((VBool*)p)->Value = value; }
    }
}
