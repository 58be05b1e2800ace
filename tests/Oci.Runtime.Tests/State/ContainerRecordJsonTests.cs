using System.Text;
using Oci.Runtime.Spec;
using Oci.Runtime.State;
using Xunit;

namespace Oci.Runtime.Tests.State;

/// <summary>state.json keeps the config's own text: read records do not rewrite it, and the parts most commands need
/// (annotations, hooks) are found in it without reading the rest.</summary>
public class ContainerRecordJsonTests
{
    const string Config = """
        {
          "ociVersion": "1.3.0",
          "process": { "cwd": "/", "args": ["sh"] },
          "annotations": { "a": "1" },
          "hooks": { "poststop": [ { "path": "/bin/first" } ] },
          "annotations": { "b": "2" },
          "x-unknown": [1, 2, { "deep": null }]
        }
        """;

    static ContainerRecord Record(string config)
    {
        var record = new ContainerRecord { Id = "c1", InitPid = 42, Bundle = "/b", Rootfs = "/b/rootfs", Owner = "root" };
        byte[] bytes = Encoding.UTF8.GetBytes(config);
        record.SetConfig(SpecLoader.ParseUnvalidated(bytes), bytes);
        return record;
    }

    [Fact]
    public void TheConfigTextSurvivesSaveAndLoad()
    {
        var loaded = ContainerRecordJson.Parse(ContainerRecordJson.Serialize(Record(Config)));
        Assert.Equal(Config, Encoding.UTF8.GetString(loaded.ConfigUtf8.Span));
        // Saved again without being read: still the same text.
        var again = ContainerRecordJson.Parse(ContainerRecordJson.Serialize(loaded));
        Assert.Equal(Config, Encoding.UTF8.GetString(again.ConfigUtf8.Span));
    }

    [Fact]
    public void AnnotationsAndHooksAreFoundWithoutReadingTheConfig()
    {
        var loaded = ContainerRecordJson.Parse(ContainerRecordJson.Serialize(Record(Config)));
        // The last of duplicate members wins, as when the whole config is read.
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2" }, loaded.Annotations);
        Assert.Equal("/bin/first", Assert.Single(loaded.Hooks!.Poststop!).Path);
        Assert.Equal(loaded.Config.Annotations, loaded.Annotations);
    }

    [Fact]
    public void AChangedConfigIsWrittenAgain()
    {
        var loaded = ContainerRecordJson.Parse(ContainerRecordJson.Serialize(Record(Config)));
        loaded.Config.Hostname = "changed";
        var again = ContainerRecordJson.Parse(ContainerRecordJson.Serialize(loaded));
        Assert.Equal("changed", again.Config.Hostname);
        Assert.Equal("sh", Assert.Single(again.Config.Process!.Args!));
    }

    [Fact]
    public void AConfigWithoutAnnotationsOrHooksHasNone()
    {
        var loaded = ContainerRecordJson.Parse(ContainerRecordJson.Serialize(Record("""{"ociVersion":"1.3.0","annotations":null}""")));
        Assert.Null(loaded.Annotations);
        Assert.Null(loaded.Hooks);
    }
}
