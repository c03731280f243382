using System.Reflection;
using System.Runtime.CompilerServices;

namespace FunctionsObservability.Pipeline.Query;

/// <summary>
/// Compiles every method of some types ahead of their first call, without running them: the
/// methods a warm-up run does not reach (a cache hit, a tag match, the route's handler). Generic
/// methods are left out (they compile per instantiation, at first use).
/// </summary>
public static class MethodPrecompiler
{
    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    /// <summary>Compiles the methods of <paramref name="types"/> and of their nested types (lambdas, async state machines).</summary>
    public static void Compile(params Type[] types)
    {
        ArgumentNullException.ThrowIfNull(types);
        foreach (var type in types)
        {
            if (type.ContainsGenericParameters)
            {
                continue;
            }

            foreach (var method in type.GetMethods(Declared))
            {
                if (!method.IsAbstract && !method.ContainsGenericParameters && method.GetMethodBody() is not null)
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }

            foreach (var constructor in type.GetConstructors(Declared))
            {
                if (!constructor.IsStatic && constructor.GetMethodBody() is not null)
                {
                    RuntimeHelpers.PrepareMethod(constructor.MethodHandle);
                }
            }

            Compile(type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic));
        }
    }
}
