using System;
using System.Reflection;
using Xunit.Sdk;

[assembly: Replication.Engine.Tests.Support.HostDiesAt]

namespace Replication.Engine.Tests.Support;

/// <summary>
/// For the self-test of build.ps1's verdict (tests/Pester/TestRun.Tests.ps1): REPLICATION_TEST_HOST_DIES_AT naming a
/// test as Namespace.Class.Method kills this test host as that test starts (Environment.FailFast: no result, no
/// clean-up), the way a crash of the host would, after the tests that ran before it reported. Inert when unset; the
/// test run clears it before it starts.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class HostDiesAtAttribute : BeforeAfterTestAttribute
{
    public const string EnvironmentVariable = "REPLICATION_TEST_HOST_DIES_AT";

    private static readonly string? Target = Environment.GetEnvironmentVariable(EnvironmentVariable);

    public override void Before(MethodInfo methodUnderTest)
    {
        if (!string.IsNullOrEmpty(Target) && $"{methodUnderTest.DeclaringType?.FullName}.{methodUnderTest.Name}" == Target)
        {
            Environment.FailFast($"{EnvironmentVariable}={Target}: the test host dies here, as asked.");
        }
    }
}
