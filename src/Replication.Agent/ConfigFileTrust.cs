using System;
using Replication.Engine.Files;

namespace Replication.Agent;

/// <summary>
/// The agent's configuration names whom it serves and where its storage is, so it is trusted as a key file is: a regular
/// file, not a link, owned by root or the agent's own user, and writable by nobody else (Unix; on Windows the folder's
/// ACL is the admin's to keep).
/// </summary>
internal static class ConfigFileTrust
{
    public static void Require(string path)
    {
        FileFacts? facts;
        try
        {
            facts = VerifiedFolder.LookAt(path);
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or Engine.Errors.ReplicationException)
        {
            throw new AgentConfigurationException(ex.Message);
        }

        switch (facts)
        {
            case null:
                throw new AgentConfigurationException($"'{path}' is not there.");
            case { Kind: EntryKind.Link }:
                throw new AgentConfigurationException($"'{path}' is a link; give the file itself.");
            case { Kind: not EntryKind.File }:
                throw new AgentConfigurationException($"'{path}' is not a regular file.");
            case { Owner: { } owner } when owner != 0 && owner != TrustedOwners.Self:
                throw new AgentConfigurationException($"'{path}' is owned by uid {owner}, not by root or the agent's user (uid {TrustedOwners.Self}), so that user could change whom the agent serves; chown it.");
            case { Mode: var mode } when (mode & (Modes.GroupWrite | Modes.OthersWrite)) != 0:
                throw new AgentConfigurationException($"'{path}' can be written by others (mode {Modes.Octal(mode)}), so they could change whom the agent serves; make it 0600 or 0644.");
        }
    }
}
