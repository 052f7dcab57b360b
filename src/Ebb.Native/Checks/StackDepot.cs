using Ebb.NativeHost;
using OsNative = Ebb.Os.Native;
using Ebb.Os;

namespace Ebb.Checks;

/// <summary>
/// libebb.so's stack depot: each distinct call stack (return addresses, innermost first) is stored
/// once, in memory mapped for it (no malloc: the depot runs inside malloc), and named by a 4-byte
/// id that a checked block's header keeps. Lookups take no lock (records are published with a
/// release store and never change); inserts take the shim's check lock. Symbolized only when a
/// report prints a stack (the shim), so a capture costs the unwind and one hash lookup.
/// </summary>
internal static unsafe class StackDepot
{
    private const int BucketBits = 16;
    // Address space only (pages are touched as records are added), but it counts against an
    // address-space limit (ulimit -v): 32 MiB, about 200,000 distinct stacks of 16 frames.
    private const nuint RecordBytes = 32u << 20;

    /// <summary>A stored stack: next record in its bucket (id), hash, frame count, frames.</summary>
    private struct Record
    {
        public uint Next;
        public uint Hash;
        public int Count;
        public uint Pad;
    }

    private static uint* s_buckets;
    private static byte* s_records;
    private static nuint s_used;

    /// <summary>Maps the depot's memory; false when the system refused it (then stacks are not recorded).</summary>
    public static bool Init()
    {
        if (s_records != null) return true;
        nint b = OsNative.mmap(0, (nuint)(sizeof(uint) << BucketBits), 3, 0x22 | 0x4000, -1, 0);
        nint r = OsNative.mmap(0, RecordBytes, 3, 0x22 | 0x4000, -1, 0);
        if (b == -1 || r == -1) return false;
        s_buckets = (uint*)b;
        s_records = (byte*)r;
        s_used = 8; // id 0 means "no stack"
        return true;
    }

    private static uint HashOf(nuint* frames, int n)
    {
        ulong h = 0xcbf29ce484222325;
        for (int i = 0; i < n; i++) h = (h ^ (ulong)frames[i]) * 0x100000001b3;
        return (uint)(h ^ (h >> 32)) | 1;
    }

    private static Record* At(uint id) => (Record*)(s_records + ((nuint)id << 3));

    private static uint Find(uint hash, nuint* frames, int n)
    {
        for (uint id = (uint)Volatile.Read(ref *(int*)&s_buckets[hash & ((1u << BucketBits) - 1)]); id != 0; id = At(id)->Next)
        {
            Record* r = At(id);
            if (r->Hash != hash || r->Count != n) continue;
            nuint* f = (nuint*)(r + 1);
            int i = 0;
            while (i < n && f[i] == frames[i]) i++;
            if (i == n) return id;
        }
        return 0;
    }

    /// <summary>The id of this stack, stored on first sight; 0 when the depot is full or absent.</summary>
    public static uint Put(nuint* frames, int n)
    {
        if (s_records == null || n <= 0) return 0;
        uint hash = HashOf(frames, n);
        uint id = Find(hash, frames, n);
        if (id != 0) return id;
        Shim.ebb_shim_check_lock();
        id = Find(hash, frames, n);
        if (id == 0)
        {
            nuint bytes = (nuint)sizeof(Record) + (nuint)n * (nuint)sizeof(nuint);
            if (s_used + bytes <= RecordBytes)
            {
                id = (uint)(s_used >> 3);
                s_used += bytes;
                Record* r = At(id);
                uint* bucket = &s_buckets[hash & ((1u << BucketBits) - 1)];
                r->Hash = hash;
                r->Count = n;
                r->Next = *bucket;
                nuint* f = (nuint*)(r + 1);
                for (int i = 0; i < n; i++) f[i] = frames[i];
                Volatile.Write(ref *(int*)bucket, (int)id); // published whole: lock-free readers see a complete record
            }
        }
        Shim.ebb_shim_check_unlock();
        return id;
    }

    /// <summary>The frames of stack <paramref name="id"/> (count, and *frames set), 0 for none.</summary>
    public static int Get(uint id, nuint** frames)
    {
        if (id == 0 || s_records == null || ((nuint)id << 3) >= s_used) return 0;
        Record* r = At(id);
        *frames = (nuint*)(r + 1);
        return r->Count;
    }
}
