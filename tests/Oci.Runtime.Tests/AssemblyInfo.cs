// The runtime drives Linux kernel interfaces only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
