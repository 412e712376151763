using OpsConsole.SparkJobs.Lake;
using OpsConsole.SparkJobs.Planning;
using OpsConsole.SparkJobs.Quality;
using OpsConsole.SparkJobs.Sources;
using OpsConsole.SparkJobs.Transform;

namespace OpsConsole.SparkJobs.Ingest;

/// <summary>
/// A run's staged records handed to the table one partition (UTC day of <c>created</c>) at a time, oldest first.
/// A slice is read from staging and turned into rows when the first day it covers comes up; its rows wait until
/// their day is merged. So memory holds the rows of the slices that reach into the current day, not the run
/// (with day-long slices: about two days of records). The re-fetched objects (updates) are few and read first.
/// </summary>
public sealed class StagedBatch
{
    private const long Day = 86_400;
    private readonly Staging _staging;
    private readonly Func<RecordTransformer> _transformers;
    private readonly Func<QualityEvaluator>? _evaluators;
    private readonly Func<RecordTransformer, QualityEvaluator, CancellationToken, Task>? _judge;
    private readonly List<Slice> _slices;

    /// <param name="staging">The run's staging.</param>
    /// <param name="transformers">A fresh transformer for each pass (a lost commit race reads the batch again).</param>
    /// <param name="slices">The finished slices (and pieces) whose pages are staged.</param>
    /// <param name="evaluators">A fresh data-quality evaluator for each pass; every row goes through it as it is read.</param>
    /// <param name="judge">
    /// Called after the last row of a pass, before the merge commits: it gives the rules' verdict and throws to stop
    /// the commit (a blocking rule failed).
    /// </param>
    public StagedBatch(Staging staging, Func<RecordTransformer> transformers, IEnumerable<Slice> slices,
        Func<QualityEvaluator>? evaluators = null, Func<RecordTransformer, QualityEvaluator, CancellationToken, Task>? judge = null)
    {
        _staging = staging;
        _transformers = transformers;
        _evaluators = evaluators;
        _judge = judge;
        Transformer = transformers();
        _slices = [.. slices.OrderBy(s => s.From)];
        PartitionCount = _slices.SelectMany(s => Enumerable.Range(0, (int)(DayOf(s.To - 1) - DayOf(s.From) + 1)).Select(d => DayOf(s.From) + d)).Distinct().Count();
    }

    /// <summary>The transformer of the latest pass: its counts of rows, rejected records and unknown fields.</summary>
    public RecordTransformer Transformer { get; private set; }

    /// <summary>Days the slices cover (an upper bound on the partitions written: a day without records is skipped).</summary>
    public int PartitionCount { get; }

    public async IAsyncEnumerable<PartitionRows> PartitionsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pass = new Pass(Transformer = _transformers(), _evaluators?.Invoke());
        await _staging.ReadUpdatesAsync(pass.Take, cancellationToken);
        var days = new SortedSet<long>(pass.PendingDays);
        foreach (var slice in _slices)
        {
            for (var day = DayOf(slice.From); day <= DayOf(slice.To - 1); day++)
            {
                days.Add(day);
            }
        }

        var next = 0;
        foreach (var day in days)
        {
            // Every slice that can hold records of this day is read before the day is merged.
            while (next < _slices.Count && _slices[next].From < (day + 1) * Day)
            {
                pass.Source = _slices[next++];
                await _staging.ReadSliceAsync(pass.Source.Value, pass.Take, cancellationToken);
                pass.Source = null;
            }
            if (pass.Close(day) is { Count: > 0 } rows)
            {
                yield return new PartitionRows(LakeTable.PartitionOf(day * Day), rows);
            }
        }
        // The merge commits only after the last partition: a verdict that throws here leaves the table as it was.
        if (pass.Quality is not null && _judge is not null)
        {
            await _judge(pass.Transformer, pass.Quality, cancellationToken);
        }
    }

    private static long DayOf(long created) => (created / Day) - (created % Day < 0 ? 1 : 0);

    /// <summary>One pass over the staged records: rows waiting for their day, the days already handed over.</summary>
    private sealed class Pass(RecordTransformer transformer, QualityEvaluator? quality)
    {
        private readonly int _idColumn = transformer.Schema.IndexOf("id");
        private readonly int _createdColumn = transformer.Schema.IndexOf("created");
        private readonly SortedDictionary<long, List<object?[]>> _pending = [];
        private long? _lastDay;

        public RecordTransformer Transformer { get; } = transformer;

        public QualityEvaluator? Quality { get; } = quality;

        /// <summary>The slice being read (its records must fall inside it), or null for the updates.</summary>
        public Slice? Source { get; set; }

        public IEnumerable<long> PendingDays => _pending.Keys;

        /// <summary>Transforms, checks and judges one staged record, and keeps its row for its day.</summary>
        public void Take(System.Text.Json.JsonElement record)
        {
            if (!Transformer.TryTransform(record, out var row, out var unknownFields))
            {
                return;
            }
            var created = (long)row[_createdColumn]!;
            if (Source is { } slice && (created < slice.From || created >= slice.To))
            {
                throw new SourceFailedException($"The source returned {row[_idColumn]} created at {created}, outside the requested window {slice}.");
            }
            var day = DayOf(created);
            if (day <= _lastDay)
            {
                throw new InvalidOperationException($"{row[_idColumn]} (day {day}) arrived after its partition was merged.");
            }
            if (!_pending.TryGetValue(day, out var rows))
            {
                _pending[day] = rows = [];
            }
            rows.Add(row);
            Quality?.Observe(row, record, unknownFields);
        }

        /// <summary>Hands over the rows of <paramref name="day"/>; later records of it are an error.</summary>
        public List<object?[]>? Close(long day)
        {
            _lastDay = day;
            return _pending.Remove(day, out var rows) ? rows : null;
        }
    }
}
