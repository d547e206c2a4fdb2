using System.Reflection;
using System.Reflection.Emit;

namespace ClusterDns.Server.Tests.Architecture;

/// <summary>
/// Every type one type uses: in its signatures (base, interfaces, fields, properties, parameters) and in its
/// method bodies (the IL's type, method and field tokens), generic arguments included. Nested and
/// compiler-generated types (lambdas, async state machines) count for the type they are nested in.
/// </summary>
public static class TypeReferences
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance
        | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    public static IEnumerable<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            while (t is not null && (t.HasElementType))
            {
                t = t.GetElementType();
            }
            if (t is null || t.IsGenericParameter || !found.Add(t))
            {
                return;
            }
            if (t.IsGenericType)
            {
                Add(t.GetGenericTypeDefinition());
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        foreach (var face in type.GetInterfaces())
        {
            Add(face);
        }
        foreach (var field in type.GetFields(Declared))
        {
            Add(field.FieldType);
        }
        foreach (var property in type.GetProperties(Declared))
        {
            Add(property.PropertyType);
        }
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }
            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }
            foreach (var member in BodyMembers(method))
            {
                Add(member as Type ?? member.DeclaringType);
                if (member is MethodInfo { IsGenericMethod: true } generic)
                {
                    foreach (var argument in generic.GetGenericArguments())
                    {
                        Add(argument);
                    }
                }
                if (member is FieldInfo referencedField)
                {
                    Add(referencedField.FieldType);
                }
            }
        }
        return found;
    }

    /// <summary>The members the IL of <paramref name="method"/> names (walks the opcodes for their tokens).</summary>
    private static IEnumerable<MemberInfo> BodyMembers(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return [];
        }
        var members = new List<MemberInfo>();
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var opcode = OpCodesByValue[value];
            switch (opcode.OperandType)
            {
                case OperandType.InlineType:
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineTok:
                    int token = BitConverter.ToInt32(il, i);
                    try
                    {
                        members.Add(method.Module.ResolveMember(token, typeArguments, methodArguments)!);
                    }
                    catch (ArgumentException)
                    {
                        // A token of another generic context: its signature types are seen elsewhere.
                    }
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    i += 4;
                    break;
            }
        }
        return members;
    }
}
