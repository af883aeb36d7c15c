using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Replication.Drivers.Conformance;

internal static class SidecarPromises
{
    /// <summary>A sidecar name of the engine's alphabet that no other run uses.</summary>
    public static string NewName(string purpose) => $"kit-{purpose}-{Guid.NewGuid():N}.bin";

    public static string ReplaceRead(KitBackend kit)
    {
        var store = kit.Driver.Sidecars(kit.Backend);
        var name = NewName("replace");
        KitBackend.Require(store.Read(name) is null, "Read of a sidecar never written is not null.");
        try
        {
            var first = KitBackend.Pattern(3000, 1);
            store.Replace(name, first);
            KitBackend.RequireEqual(first, store.Read(name) ?? Array.Empty<byte>(), "Read after Replace");
            var shorter = KitBackend.Pattern(100, 2);
            store.Replace(name, shorter);
            KitBackend.RequireEqual(shorter, store.Read(name) ?? Array.Empty<byte>(), "Read after a Replace with shorter content");
            store.Replace(name, Array.Empty<byte>());
            var empty = store.Read(name);
            KitBackend.Require(empty is { Length: 0 }, "Replace with empty content does not read back as empty (null means missing).");
        }
        finally
        {
            store.Delete(name);
        }

        return "Replace writes the whole content, a shorter one replaces it entirely, empty content reads as empty; a missing sidecar reads as null.";
    }

    public static string DeleteIdempotent(KitBackend kit)
    {
        var store = kit.Driver.Sidecars(kit.Backend);
        var name = NewName("delete");
        store.Replace(name, new byte[] { 1 });
        store.Delete(name);
        KitBackend.Require(store.Read(name) is null, "After Delete the sidecar still reads.");
        store.Delete(name);
        return "Delete removes the sidecar; deleting it again is not an error.";
    }

    public static string DeleteAll(KitBackend kit)
    {
        var store = kit.Driver.Sidecars(kit.Backend);
        if (store is not ISidecarBatchRemoval batch)
        {
            return "The store does not offer ISidecarBatchRemoval: nothing to check (the engine deletes one by one).";
        }

        var kept = NewName("kept");
        var names = new[] { NewName("batch"), NewName("batch"), NewName("batch-never-written") };
        try
        {
            store.Replace(kept, new byte[] { 9 });
            store.Replace(names[0], new byte[] { 1 });
            store.Replace(names[1], new byte[] { 2 });
            batch.DeleteAll(names);
            KitBackend.Require(names.All(name => store.Read(name) is null), "After DeleteAll a named sidecar still reads.");
            KitBackend.Require(store.Read(kept) is { Length: 1 }, "DeleteAll removed a sidecar it was not given.");
            batch.DeleteAll(names);
        }
        finally
        {
            store.Delete(kept);
        }

        return "DeleteAll removes every named sidecar and no other; missing ones and a second call are not errors.";
    }

    public static string ReplaceAll(KitBackend kit)
    {
        var store = kit.Driver.Sidecars(kit.Backend);
        if (store is not ISidecarBatchReplace batch)
        {
            return "The store does not offer ISidecarBatchReplace: nothing to check (the engine replaces one by one).";
        }

        var names = new[] { NewName("replace-all"), NewName("replace-all"), NewName("replace-all-new") };
        try
        {
            store.Replace(names[0], new byte[] { 1, 1 });
            store.Replace(names[1], new byte[] { 2, 2, 2 });
            batch.ReplaceAll(names.Select((name, i) => new KeyValuePair<string, byte[]>(name, new[] { (byte)(10 + i) })).ToList());
            for (var i = 0; i < names.Length; i++)
            {
                KitBackend.Require(store.Read(names[i]) is { Length: 1 } content && content[0] == 10 + i, $"After ReplaceAll the sidecar '{names[i]}' does not read as given.");
            }

            KitBackend.Require(store.List("kit-replace-all").Count == names.Length, "ReplaceAll left a sidecar it was not given (a temporary file?).");
        }
        finally
        {
            foreach (var name in names)
            {
                store.Delete(name);
            }
        }

        return "ReplaceAll replaces each named sidecar with its content, new ones made, and leaves nothing else behind.";
    }

    public static string ListByPrefix(KitBackend kit)
    {
        var store = kit.Driver.Sidecars(kit.Backend);
        var prefix = $"kit-list-{Guid.NewGuid():N}";
        var names = new[] { prefix + ".a", prefix + ".b", prefix + "-c" };
        var other = NewName("other");
        try
        {
            foreach (var name in names.Append(other))
            {
                store.Replace(name, new byte[] { 7 });
            }

            using (store.Open(prefix + ".d", SidecarAccess.OpenOrCreate))
            {
            }

            var listed = store.List(prefix);
            var expected = names.Append(prefix + ".d").OrderBy(n => n, StringComparer.Ordinal).ToList();
            KitBackend.Require(listed.OrderBy(n => n, StringComparer.Ordinal).SequenceEqual(expected),
                $"List('{prefix}') gives [{string.Join(", ", listed)}], expected [{string.Join(", ", expected)}].");
            KitBackend.Require(store.List(prefix + ".").Count == 3, $"List('{prefix}.') does not give the three sidecars with that prefix.");
        }
        finally
        {
            foreach (var name in names.Append(other).Append(prefix + ".d"))
            {
                store.Delete(name);
            }
        }

        return "List gives exactly the sidecars whose names start with the prefix, whether Replace or Open made them.";
    }

    public static string Open(KitBackend kit)
    {
        var store = kit.Driver.Sidecars(kit.Backend);
        var name = NewName("open");
        RequireNotFound(() => store.Open(name, SidecarAccess.Read), "Open (Read) of a missing sidecar");
        RequireNotFound(() => store.Open(name, SidecarAccess.ReadWrite), "Open (ReadWrite) of a missing sidecar");
        try
        {
            var data = KitBackend.Pattern(70000, 3);
            using (var stream = store.Open(name, SidecarAccess.OpenOrCreate))
            {
                KitBackend.Require(stream.Length == 0, "OpenOrCreate of a missing sidecar is not empty.");
                KitBackend.Require(stream.CanSeek && stream.CanWrite, "A sidecar opened OpenOrCreate cannot seek or write.");
                stream.Position = 10;
                stream.Write(data, 0, data.Length);
                KitBackend.Require(Throws(() => store.Open(name, SidecarAccess.ReadWrite).Dispose(), out var second) && second is IOException,
                    $"A second writer opened a sidecar a writer holds ({second?.GetType().Name ?? "no error"}, expected IOException).");
            }

            var read = store.Read(name) ?? Array.Empty<byte>();
            KitBackend.RequireEqual(new byte[10].Concat(data).ToArray(), read, "Read of what the stream wrote");
            using (var stream = store.Open(name, SidecarAccess.Read))
            {
                KitBackend.Require(!stream.CanWrite, "A sidecar opened to Read can write.");
                stream.Position = 10;
                var back = new byte[100];
                KitBackend.Require(stream.Read(back, 0, 100) == 100 && back.SequenceEqual(data.Take(100)), "Reading at a position of a sidecar opened to Read gives other bytes.");
            }

            using (var stream = store.Open(name, SidecarAccess.ReadWrite))
            {
                KitBackend.Require(stream.Length == data.Length + 10, "ReadWrite of an existing sidecar does not keep its content.");
            }
        }
        finally
        {
            store.Delete(name);
        }

        return "Open: Read and ReadWrite of a missing sidecar throw FileNotFoundException, OpenOrCreate makes it empty; a writer excludes a second writer (IOException); content reads back by position and by Read.";
    }

    private static void RequireNotFound(Func<Stream> open, string what)
    {
        KitBackend.Require(Throws(() => open().Dispose(), out var error) && error is FileNotFoundException,
            $"{what} gave {error?.GetType().Name ?? "a stream"}, expected FileNotFoundException.");
    }

    private static bool Throws(Action action, out Exception? error)
    {
        try
        {
            action();
            error = null;
            return false;
        }
        catch (Exception ex) when (ex is not PromiseBroken)
        {
            error = ex;
            return true;
        }
    }
}
