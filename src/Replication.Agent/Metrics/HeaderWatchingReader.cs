using System.Threading;
using System.Threading.Tasks;
using Grpc.Core;
using Replication.Agent.Protocol;

namespace Replication.Agent.Metrics;

/// <summary>A round's stream as it is read, keeping its header (the first message) for the metrics.</summary>
internal sealed class HeaderWatchingReader : IAsyncStreamReader<StageMessage>
{
    private readonly IAsyncStreamReader<StageMessage> _inner;

    public HeaderWatchingReader(IAsyncStreamReader<StageMessage> inner) => _inner = inner;

    public StageHeader? Header { get; private set; }

    public StageMessage Current => _inner.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        var more = await _inner.MoveNext(cancellationToken).ConfigureAwait(false);
        if (more && Header is null && _inner.Current.Header is { } header)
        {
            Header = header;
        }

        return more;
    }
}
