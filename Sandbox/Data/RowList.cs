namespace OpsConsole.Sandbox.Data;

/// <summary>An append-only list of value rows, ordered by <c>created</c> (callers append in order), with binary search on it.</summary>
public sealed class RowList<T>(Func<T, long> created, int capacity = 1024)
    where T : struct
{
    private T[] _rows = new T[Math.Max(16, capacity)];

    public int Count { get; private set; }

    public ref T this[int index] => ref _rows[index];

    public void Add(in T row)
    {
        if (Count == _rows.Length)
        {
            Array.Resize(ref _rows, _rows.Length * 2);
        }
        _rows[Count++] = row;
    }

    /// <summary>The first index whose created is at or after <paramref name="time"/> (Count when none).</summary>
    public int FirstAtOrAfter(long time)
    {
        int low = 0, high = Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (created(_rows[mid]) < time)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    public long CreatedAt(int index) => created(_rows[index]);

    /// <summary>Bytes held by the backing array (for memory figures).</summary>
    public long CapacityBytes => (long)_rows.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
}
