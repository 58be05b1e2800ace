using Xunit;

namespace Oci.Runtime.Tests.Integration.Security;

/// <summary>The attack tests run one at a time: some mount on host directories, and the race test measures how often
/// a window opens, which parallel load would only blur.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecurityCollection
{
    public const string Name = "Security";
}
