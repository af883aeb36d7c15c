using Google.Protobuf;
using Replication.Agent.Protocol;

namespace Replication.Agent.Preflight;

/// <summary>What a controller's pre-flight check asks of the agent itself: its certificate and the CA it trusts, for their validity.</summary>
public static class AgentDiagnosis
{
    public static Diagnosis Of(AgentOptions options) => new()
    {
        Certificate = ByteString.CopyFrom(options.Certificate.RawData),
        TrustedCa = ByteString.CopyFrom(options.TrustedCa.RawData),
    };
}
