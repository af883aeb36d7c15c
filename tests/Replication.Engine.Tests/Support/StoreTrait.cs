using System;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Replication.Engine.Tests.Support;

/// <summary>
/// The trait that selects the engine tests build.ps1 runs a second time, on PostgreSQL: [Trait("Store", "Each")] on a
/// test class (or a test method) whose tests open a site on the suite's store. [Trait("Store", "Specific")] marks the
/// tests of the stores themselves, which choose their stores.
/// </summary>
public static class StoreTrait
{
    public const string Name = "Store";
    public const string Each = "Each";
    public const string Specific = "Specific";

    /// <summary>
    /// Fails unless the test on the calling stack (its method, or the constructor of its class) carries Store=Each.
    /// The test is the nearest frame that is a [Fact]/[Theory] method, or an async or lambda body of one, or the
    /// constructor of a test class; a helper of another test class in between does not count.
    /// </summary>
    public static void DemandEach()
    {
        foreach (var frame in new StackTrace(skipFrames: 1).GetFrames())
        {
            if (frame.GetMethod() is not { } method || TestOf(method) is not { } test)
            {
                continue;
            }

            if (IsMarked(test.Class) || (test.Method is not null && IsMarked(test.Method)))
            {
                return;
            }

            var where = test.Method is null ? $"The constructor of {test.Class.FullName}" : $"{test.Class.FullName}.{test.Method.Name}";
            throw new InvalidOperationException(
                $"{where} opens a site on the suite's store ({TestStores.EnvironmentVariable}) without [Trait(\"{Name}\", \"{Each}\")] " +
                "on its class or method, so build.ps1 would leave it out of the PostgreSQL run. Add the trait.");
        }

        throw new InvalidOperationException(
            "The suite's store was asked for outside a test's own thread (a thread it started, or test data): open the site in the test.");
    }

    private static bool IsMarked(MemberInfo member) => member.GetCustomAttributesData().Any(a =>
        a.AttributeType == typeof(TraitAttribute)
        && a.ConstructorArguments is [{ Value: Name }, { Value: Each }]);

    private static bool IsTest(MethodBase method) => method.IsDefined(typeof(FactAttribute), inherit: true);

    private static bool IsTestClass(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Any(IsTest);

    /// <summary>The test a stack frame's method belongs to, if it is a test, the body of one, or a test class's constructor.</summary>
    private static (Type Class, MethodBase? Method)? TestOf(MethodBase method)
    {
        var type = method.DeclaringType;
        if (type is null)
        {
            return null;
        }

        if (method is ConstructorInfo && IsTestClass(type))
        {
            return (type, null);
        }

        if (IsTest(method))
        {
            return (type, method);
        }

        // An async test runs on in its state machine's MoveNext, a lambda in a closure class: both nested in the test class.
        if (!type.IsDefined(typeof(CompilerGeneratedAttribute)) || type.DeclaringType is not { } outer)
        {
            return null;
        }

        var owner = outer.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
            .FirstOrDefault(m => IsTest(m) && (m.GetCustomAttribute<StateMachineAttribute>()?.StateMachineType == type || method.Name.StartsWith($"<{m.Name}>", StringComparison.Ordinal)));
        return owner is null ? null : (outer, owner);
    }
}
