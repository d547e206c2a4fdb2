namespace ClusterDns.Server.Plugins.View;

/// <summary>A node of a parsed expression: its static type (checked at start-up) and its evaluation (never throws).</summary>
internal abstract class ExprNode
{
    public abstract ExprType Type { get; }

    /// <summary>The value when it does not depend on the query (literals), else null.</summary>
    public virtual ExprValue? Constant => null;

    public abstract ExprValue Evaluate(ExprScope scope);
}

internal sealed class LiteralNode : ExprNode
{
    private readonly ExprValue _value;

    public LiteralNode(ExprValue value, ExprType type)
    {
        _value = value;
        Type = type;
    }

    public override ExprType Type { get; }

    public override ExprValue? Constant => _value;

    public override ExprValue Evaluate(ExprScope scope) => _value;
}

/// <summary><c>[a, b, …]</c>: only as the right side of <c>in</c>; constant items are evaluated once.</summary>
internal sealed class ArrayNode : ExprNode
{
    private readonly ExprNode[] _items;
    private readonly ExprValue? _constant;

    public ArrayNode(ExprNode[] items)
    {
        _items = items;
        if (Array.TrueForAll(items, i => i.Constant is not null))
        {
            _constant = ExprValue.Of(Array.ConvertAll(items, i => i.Constant!.Value));
        }
    }

    public override ExprType Type => ExprType.Array;

    public override ExprValue? Constant => _constant;

    public override ExprValue Evaluate(ExprScope scope)
    {
        if (_constant is { } constant)
        {
            return constant;
        }
        var values = new ExprValue[_items.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = _items[i].Evaluate(scope);
            if (values[i].IsError)
            {
                return ExprValue.Error;
            }
        }
        return ExprValue.Of(values);
    }
}

internal sealed class NotNode : ExprNode
{
    private readonly ExprNode _operand;

    public NotNode(ExprNode operand) => _operand = operand;

    public override ExprType Type => ExprType.Bool;

    public override ExprValue Evaluate(ExprScope scope)
    {
        var value = _operand.Evaluate(scope);
        return value.Kind == ExprValueKind.Bool ? ExprValue.Of(value.Number == 0) : ExprValue.Error;
    }
}

/// <summary><c>&amp;&amp;</c>/<c>and</c> and <c>||</c>/<c>or</c>, short-circuit as in expr-lang.</summary>
internal sealed class LogicNode : ExprNode
{
    private readonly ExprNode _left;
    private readonly ExprNode _right;
    private readonly bool _isAnd;

    public LogicNode(ExprNode left, ExprNode right, bool isAnd)
    {
        _left = left;
        _right = right;
        _isAnd = isAnd;
    }

    public override ExprType Type => ExprType.Bool;

    public override ExprValue Evaluate(ExprScope scope)
    {
        var left = _left.Evaluate(scope);
        if (left.Kind != ExprValueKind.Bool)
        {
            return ExprValue.Error;
        }
        if (left.IsTrue != _isAnd)
        {
            // false && … is false; true || … is true.
            return left;
        }
        var right = _right.Evaluate(scope);
        return right.Kind == ExprValueKind.Bool ? right : ExprValue.Error;
    }
}

internal enum CompareOp : byte
{
    Equal,
    NotEqual,
    Less,
    Greater,
    LessOrEqual,
    GreaterOrEqual,
}

/// <summary><c>== != &lt; &gt; &lt;= &gt;=</c>; ordering compares integers, or strings ordinally.</summary>
internal sealed class CompareNode : ExprNode
{
    private readonly ExprNode _left;
    private readonly ExprNode _right;
    private readonly CompareOp _op;

    public CompareNode(ExprNode left, ExprNode right, CompareOp op)
    {
        _left = left;
        _right = right;
        _op = op;
    }

    public override ExprType Type => ExprType.Bool;

    public override ExprValue Evaluate(ExprScope scope)
    {
        var left = _left.Evaluate(scope);
        var right = _right.Evaluate(scope);
        if (left.IsError || right.IsError)
        {
            return ExprValue.Error;
        }
        switch (_op)
        {
            case CompareOp.Equal:
                return ExprValue.Of(left.EqualTo(right));
            case CompareOp.NotEqual:
                return ExprValue.Of(!left.EqualTo(right));
        }
        int order;
        if (left.Kind == ExprValueKind.Int && right.Kind == ExprValueKind.Int)
        {
            order = left.Number.CompareTo(right.Number);
        }
        else if (left.Kind == ExprValueKind.String && right.Kind == ExprValueKind.String)
        {
            order = left.Text.Span.SequenceCompareTo(right.Text.Span);
        }
        else
        {
            return ExprValue.Error;
        }
        return ExprValue.Of(_op switch
        {
            CompareOp.Less => order < 0,
            CompareOp.Greater => order > 0,
            CompareOp.LessOrEqual => order <= 0,
            _ => order >= 0,
        });
    }
}

/// <summary><c>x in [a, b]</c> and <c>x not in [a, b]</c>.</summary>
internal sealed class InNode : ExprNode
{
    private readonly ExprNode _item;
    private readonly ExprNode _collection;
    private readonly bool _negate;

    public InNode(ExprNode item, ExprNode collection, bool negate)
    {
        _item = item;
        _collection = collection;
        _negate = negate;
    }

    public override ExprType Type => ExprType.Bool;

    public override ExprValue Evaluate(ExprScope scope)
    {
        var item = _item.Evaluate(scope);
        var collection = _collection.Evaluate(scope);
        if (item.IsError || collection.Kind != ExprValueKind.Array)
        {
            return ExprValue.Error;
        }
        foreach (var candidate in collection.Items!)
        {
            if (item.EqualTo(candidate))
            {
                return ExprValue.Of(!_negate);
            }
        }
        return ExprValue.Of(_negate);
    }
}
