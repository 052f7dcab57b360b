using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ebb.Benchmarks.Contenders;

/// <summary>
/// The floor: a bare thread-local free list per 16-byte size class, one [ThreadStatic] read, a
/// pop or a push, a header word to find the class at free. No remote free, no giving back, no
/// checks: what an allocator's fast path costs when it does nothing else. Informative only.
/// </summary>
public unsafe struct FreeListFloor : INativeAllocator
{
    private const int Classes = 8192 / 16 + 1;
    private const int ChunkSize = 1 << 20;

    #pragma warning disable IDE1006 // t_: thread-static (.editorconfig)
    [ThreadStatic] private static State* t_state;
    #pragma warning restore IDE1006

    private struct State
    {
        public byte* Bump;
        public byte* BumpEnd;
        public fixed ulong Heads[Classes];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void* Alloc(nuint size)
    {
        State* s = t_state;
        nuint cls = (size + 15) >> 4;
        if (s != null && cls < Classes)
        {
            ulong head = s->Heads[cls];
            if (head != 0)
            {
                s->Heads[cls] = *(ulong*)head;
                return (void*)head;
            }
        }
        return AllocSlow(size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(void* ptr)
    {
        if (ptr == null) return;
        nuint cls = *((nuint*)ptr - 2);
        State* s = t_state;
        *(ulong*)ptr = s->Heads[cls];
        s->Heads[cls] = (ulong)ptr;
    }

    public static void* Realloc(void* ptr, nuint size) => throw new NotSupportedException("the floor has no realloc");

    public static void Trim() { }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void* AllocSlow(nuint size)
    {
        if (t_state == null)
        {
            t_state = (State*)NativeMemory.AllocZeroed((nuint)sizeof(State));
        }
        nuint cls = (size + 15) >> 4;
        if (cls >= Classes) throw new NotSupportedException("the floor serves up to 8 KiB");
        State* s = t_state;
        nuint need = (cls << 4) + 16;
        if (s->Bump + need > s->BumpEnd)
        {
            s->Bump = (byte*)NativeMemory.AlignedAlloc(ChunkSize, 16);
            s->BumpEnd = s->Bump + ChunkSize;
        }
        byte* block = s->Bump + 16;
        s->Bump += need;
        *((nuint*)block - 2) = cls;
        return block;
    }
}
