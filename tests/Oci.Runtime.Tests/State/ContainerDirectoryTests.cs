using Oci.Runtime.State;
using Xunit;

namespace Oci.Runtime.Tests.State;

/// <summary>The record of a create that has not finished: each save leaves exactly one whole record.</summary>
public sealed class ContainerDirectoryTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "oci-dir-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void A_second_save_of_the_creating_record_replaces_the_first_and_leaves_no_temporary_file()
    {
        using var directory = new StateStore(root).CreateNew("c1");
        directory.SaveCreating(new ContainerRecord { Id = "c1", Bundle = "/b", Rootfs = "/b/rootfs" });
        Assert.Equal(0, directory.TryLoadCreating()!.InitPid);

        directory.SaveCreating(new ContainerRecord { Id = "c1", Bundle = "/b", Rootfs = "/b/rootfs", InitPid = 4242 });

        Assert.Equal(4242, directory.TryLoadCreating()!.InitPid);
        Assert.Equal([StateStore.CreatingFileName], Directory.GetFileSystemEntries(directory.Path).Select(Path.GetFileName));
        directory.FinishCreating();
        Assert.Null(directory.TryLoadCreating());
    }
}
