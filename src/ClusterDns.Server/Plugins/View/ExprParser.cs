namespace ClusterDns.Server.Plugins.View;

/// <summary>
/// Parses the subset of expr-lang that CoreDNS's view documents, with expr-lang's precedence (lowest first):
/// <c>|| or</c>; <c>&amp;&amp; and</c>; <c>== != &lt; &gt; &lt;= &gt;= in, not in, matches, startsWith, endsWith,
/// contains</c>; prefix <c>! not</c>; literals (integers, quoted strings, <c>true</c>/<c>false</c>, <c>[…]</c>),
/// parentheses and the view's function calls. Types are checked as expr-lang's compiler checks them against
/// CoreDNS's environment: an unknown function, a wrong argument count or mismatched operand types is an error here.
/// </summary>
internal sealed class ExprParser
{
    private readonly List<ExprToken> _tokens;
    private int _next;

    private ExprParser(List<ExprToken> tokens) => _tokens = tokens;

    public static bool TryParse(string text, out ExprNode? node, out string? error)
    {
        node = null;
        if (!ExprLexer.TryTokenize(text, out var tokens, out error))
        {
            return false;
        }
        var parser = new ExprParser(tokens);
        try
        {
            node = parser.ParseOr();
            if (parser.Peek.Kind != ExprTokenKind.End)
            {
                throw parser.Fail($"unexpected '{parser.Peek.Text}'");
            }
            return true;
        }
        catch (ExprSyntaxException exception)
        {
            error = exception.Message;
            node = null;
            return false;
        }
    }

    private ExprToken Peek => _tokens[_next];

    private ExprToken PeekAt(int offset) => _tokens[Math.Min(_next + offset, _tokens.Count - 1)];

    private ExprToken Take() => _tokens[_next++];

    private bool IsWord(ExprToken token, string word) => token.Kind == ExprTokenKind.Identifier && token.Text == word;

    private bool IsSymbol(ExprToken token, string symbol) =>
        token.Kind is ExprTokenKind.Operator or ExprTokenKind.Punctuation && token.Text == symbol;

    private ExprSyntaxException Fail(string reason) => new($"{reason} at position {Peek.Position}");

    private ExprNode ParseOr()
    {
        var left = ParseAnd();
        while (IsSymbol(Peek, "||") || IsWord(Peek, "or"))
        {
            var op = Take();
            var right = ParseAnd();
            left = Logic(left, right, op, isAnd: false);
        }
        return left;
    }

    private ExprNode ParseAnd()
    {
        var left = ParseComparison();
        while (IsSymbol(Peek, "&&") || IsWord(Peek, "and"))
        {
            var op = Take();
            var right = ParseComparison();
            left = Logic(left, right, op, isAnd: true);
        }
        return left;
    }

    private ExprNode Logic(ExprNode left, ExprNode right, ExprToken op, bool isAnd)
    {
        if (!Fits(left.Type, ExprType.Bool) || !Fits(right.Type, ExprType.Bool))
        {
            throw new ExprSyntaxException($"invalid operation: {op.Text} (mismatched types {Name(left.Type)} and {Name(right.Type)}) at position {op.Position}");
        }
        return new LogicNode(left, right, isAnd);
    }

    private ExprNode ParseComparison()
    {
        var left = ParseUnary();
        while (true)
        {
            var op = Peek;
            if (op.Kind == ExprTokenKind.Operator && op.Text is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                Take();
                var right = ParseUnary();
                left = Compare(left, right, op);
            }
            else if (IsWord(op, "in") || (IsWord(op, "not") && IsWord(PeekAt(1), "in")))
            {
                bool negate = IsWord(Take(), "not");
                if (negate)
                {
                    Take();
                }
                var right = ParseUnary();
                if (!Fits(right.Type, ExprType.Array))
                {
                    throw new ExprSyntaxException($"invalid operation: in (the right side must be an array like ['A', 'AAAA'], not {Name(right.Type)}) at position {op.Position}");
                }
                left = new InNode(left, right, negate);
            }
            else if (op.Kind == ExprTokenKind.Identifier && op.Text is "matches" or "startsWith" or "endsWith" or "contains")
            {
                Take();
                var right = ParseUnary();
                if (!Fits(left.Type, ExprType.String) || !Fits(right.Type, ExprType.String))
                {
                    throw new ExprSyntaxException($"invalid operation: {op.Text} (mismatched types {Name(left.Type)} and {Name(right.Type)}) at position {op.Position}");
                }
                var kind = op.Text switch
                {
                    "matches" => StringOp.Matches,
                    "startsWith" => StringOp.StartsWith,
                    "endsWith" => StringOp.EndsWith,
                    _ => StringOp.Contains,
                };
                if (!StringOpNode.TryCreate(left, right, kind, out var node, out var error))
                {
                    throw new ExprSyntaxException($"{error} at position {op.Position}");
                }
                left = node!;
            }
            else
            {
                return left;
            }
        }
    }

    private static ExprNode Compare(ExprNode left, ExprNode right, ExprToken op)
    {
        var kind = op.Text switch
        {
            "==" => CompareOp.Equal,
            "!=" => CompareOp.NotEqual,
            "<" => CompareOp.Less,
            ">" => CompareOp.Greater,
            "<=" => CompareOp.LessOrEqual,
            _ => CompareOp.GreaterOrEqual,
        };
        bool known = left.Type != ExprType.Any && right.Type != ExprType.Any;
        bool ordering = kind is not (CompareOp.Equal or CompareOp.NotEqual);
        if ((known && left.Type != right.Type) || (ordering && (left.Type is ExprType.Bool or ExprType.Array || right.Type is ExprType.Bool or ExprType.Array)))
        {
            throw new ExprSyntaxException($"invalid operation: {op.Text} (mismatched types {Name(left.Type)} and {Name(right.Type)}) at position {op.Position}");
        }
        return new CompareNode(left, right, kind);
    }

    private ExprNode ParseUnary()
    {
        if (IsSymbol(Peek, "!") || (IsWord(Peek, "not") && !IsWord(PeekAt(1), "in")))
        {
            var op = Take();
            var operand = ParseUnary();
            if (!Fits(operand.Type, ExprType.Bool))
            {
                throw new ExprSyntaxException($"invalid operation: {op.Text} (mismatched type {Name(operand.Type)}) at position {op.Position}");
            }
            return new NotNode(operand);
        }
        return ParsePrimary();
    }

    private ExprNode ParsePrimary()
    {
        var token = Take();
        switch (token.Kind)
        {
            case ExprTokenKind.Number:
                return new LiteralNode(ExprValue.Of(token.Number), ExprType.Int);
            case ExprTokenKind.String:
                return new LiteralNode(ExprValue.Of(token.Text), ExprType.String);
            case ExprTokenKind.Identifier:
                return ParseName(token);
        }
        if (IsSymbol(token, "("))
        {
            var inner = ParseOr();
            Expect(")");
            return inner;
        }
        if (IsSymbol(token, "["))
        {
            var items = new List<ExprNode>();
            if (!IsSymbol(Peek, "]"))
            {
                do
                {
                    items.Add(ParseOr());
                }
                while (IsSymbol(Peek, ",") && Take().Kind != ExprTokenKind.End && !IsSymbol(Peek, "]"));
            }
            Expect("]");
            return new ArrayNode(items.ToArray());
        }
        _next--;
        throw Fail(token.Kind == ExprTokenKind.End ? "unexpected end of expression" : $"unexpected '{token.Text}'");
    }

    private ExprNode ParseName(ExprToken name)
    {
        switch (name.Text)
        {
            case "true":
                return new LiteralNode(ExprValue.True, ExprType.Bool);
            case "false":
                return new LiteralNode(ExprValue.False, ExprType.Bool);
        }
        bool known = ViewFunctions.TryGetQueryField(name.Text, out var type, out var evaluate) || name.Text is "incidr" or "metadata";
        if (!IsSymbol(Peek, "("))
        {
            throw new ExprSyntaxException(known
                ? $"'{name.Text}' is a function: call it as {name.Text}() (position {name.Position})"
                : $"unknown name '{name.Text}' at position {name.Position}");
        }
        if (!known)
        {
            throw new ExprSyntaxException($"unknown function {name.Text}() at position {name.Position} (known: {ViewFunctions.Known})");
        }
        Take();
        var args = new List<ExprNode>();
        if (!IsSymbol(Peek, ")"))
        {
            do
            {
                args.Add(ParseOr());
            }
            while (IsSymbol(Peek, ",") && Take().Kind != ExprTokenKind.End);
        }
        Expect(")");
        switch (name.Text)
        {
            case "incidr":
                ExpectArgs(name, args, ExprType.String, ExprType.String);
                if (!IncidrNode.TryCreate(args[0], args[1], out var incidr, out var error))
                {
                    throw new ExprSyntaxException($"{error} (position {name.Position})");
                }
                return incidr!;
            case "metadata":
                ExpectArgs(name, args, ExprType.String);
                return new MetadataNode(args[0]);
            default:
                ExpectArgs(name, args);
                return new QueryFieldNode(name.Text, type, evaluate);
        }
    }

    private static void ExpectArgs(ExprToken function, List<ExprNode> args, params ExprType[] types)
    {
        if (args.Count != types.Length)
        {
            throw new ExprSyntaxException($"{function.Text}() takes {types.Length} argument{(types.Length == 1 ? "" : "s")}, not {args.Count} (position {function.Position})");
        }
        for (int i = 0; i < types.Length; i++)
        {
            if (!Fits(args[i].Type, types[i]))
            {
                throw new ExprSyntaxException($"{function.Text}(): argument {i + 1} must be a {Name(types[i])}, not {Name(args[i].Type)} (position {function.Position})");
            }
        }
    }

    private void Expect(string symbol)
    {
        if (!IsSymbol(Peek, symbol))
        {
            throw Fail(Peek.Kind == ExprTokenKind.End ? $"expected '{symbol}' before the end of the expression" : $"expected '{symbol}', found '{Peek.Text}'");
        }
        Take();
    }

    private static bool Fits(ExprType actual, ExprType wanted) => actual == ExprType.Any || actual == wanted;

    private static string Name(ExprType type) => type switch
    {
        ExprType.Bool => "bool",
        ExprType.Int => "int",
        ExprType.String => "string",
        ExprType.Array => "array",
        _ => "interface {}",
    };

    /// <summary>Parse failures unwind the recursive descent; caught in <see cref="TryParse"/>, never escapes.</summary>
    private sealed class ExprSyntaxException(string message) : Exception(message);
}
