using System;
using System.Collections.Generic;
using System.Globalization;
using Replication.Engine.Errors;

namespace Replication.Engine.RecoveryPoints;

/// <summary>
/// How many recovery points a volume type's volumes keep, from its extra specs: a count, an age window and a space cap
/// (any of them prunes the oldest), and an immutability window inside which no point is removed by any cmdlet.
/// </summary>
public sealed record RecoveryPointPolicy
{
    public const string CountKey = "replication:recovery_points";

    public const string WindowKey = "replication:recovery_window_hours";

    public const string SpaceKey = "replication:recovery_space_gb";

    public const string ImmutableKey = "replication:recovery_immutable_hours";

    /// <summary>The policy of a type that sets none of the keys: no points are kept.</summary>
    public static readonly RecoveryPointPolicy None = new();

    /// <summary>The points kept, the newest round's included; 0 keeps none.</summary>
    public int Count { get; init; }

    /// <summary>Points whose data is older than this are pruned; null sets no age limit.</summary>
    public TimeSpan? Window { get; init; }

    /// <summary>The undo space all of a volume's points may hold; null sets no cap.</summary>
    public long? SpaceBytes { get; init; }

    /// <summary>A point younger than this is never removed, by pruning or by a cmdlet; null sets no window.</summary>
    public TimeSpan? Immutable { get; init; }

    public bool KeepsPoints => Count > 0;

    /// <summary>Parses the policy keys of a type's extra specs; a key with a bad value fails with InvalidExtraSpec.</summary>
    public static RecoveryPointPolicy Parse(IReadOnlyDictionary<string, string> extraSpecs)
    {
        var policy = new RecoveryPointPolicy
        {
            Count = extraSpecs.TryGetValue(CountKey, out var count) ? (int)Whole(CountKey, count, 1, 10_000, "a whole number of points from 1 to 10000 (for example 24)") : 0,
            Window = extraSpecs.TryGetValue(WindowKey, out var window) ? TimeSpan.FromHours(Positive(WindowKey, window, "hours (for example 72)")) : null,
            SpaceBytes = extraSpecs.TryGetValue(SpaceKey, out var space) ? (long)(Positive(SpaceKey, space, "GiB (for example 50)") * (1L << 30)) : null,
            Immutable = extraSpecs.TryGetValue(ImmutableKey, out var immutable) ? TimeSpan.FromHours(Positive(ImmutableKey, immutable, "hours (for example 24)")) : null,
        };
        var other = policy.Window is not null ? WindowKey : policy.SpaceBytes is not null ? SpaceKey : policy.Immutable is not null ? ImmutableKey : null;
        if (policy.Count == 0 && other is not null)
        {
            throw new ReplicationException(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument,
                $"The extra spec {other} limits recovery points, but the type keeps none: set {CountKey} too (the number of points to keep).", other);
        }

        return policy;
    }

    private static long Whole(string key, string value, long min, long max, string what) =>
        long.TryParse(value.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw Invalid(key, value, what);

    private static double Positive(string key, string value, string what) =>
        double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0 && number <= 1_000_000
            ? number
            : throw Invalid(key, value, "a positive number of " + what);

    private static ReplicationException Invalid(string key, string value, string what) =>
        new(ErrorIds.InvalidExtraSpec, ErrorKind.InvalidArgument, $"The extra spec {key} = '{Rules.Names.Printable(value)}' must be {what}.", key);
}
