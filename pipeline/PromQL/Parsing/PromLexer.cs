namespace FunctionsObservability.Pipeline.PromQL;

/// <summary>
/// Splits a PromQL query into tokens. Keywords are case-insensitive and only outside braces; inside
/// braces every word is a label name. A run of digits followed by a unit is a duration.
/// </summary>
internal sealed class PromLexer
{
    private readonly string _query;
    private readonly List<PromToken> _tokens = [];
    private int _pos;
    private int _braceDepth;
    private int _bracketDepth;

    private PromLexer(string query) => _query = query;

    public static List<PromToken> Tokenize(string query)
    {
        var lexer = new PromLexer(query);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        while (true)
        {
            SkipSpaceAndComments();
            if (_pos >= _query.Length)
            {
                _tokens.Add(new PromToken(PromTokenKind.Eof, string.Empty, _query.Length));
                return;
            }

            var c = _query[_pos];
            var start = _pos;
            if (char.IsAsciiDigit(c) || (c == '.' && _pos + 1 < _query.Length && char.IsAsciiDigit(_query[_pos + 1])))
            {
                LexNumberOrDuration();
            }
            else if (c is '"' or '\'' or '`')
            {
                LexString(c);
            }
            else if (IsIdentifierStart(c) && !(c == ':' && _bracketDepth > 0))
            {
                LexWord();
            }
            else
            {
                LexPunctuation(c, start);
            }
        }
    }

    private void SkipSpaceAndComments()
    {
        while (_pos < _query.Length)
        {
            var c = _query[_pos];
            if (c == '#')
            {
                while (_pos < _query.Length && _query[_pos] != '\n')
                {
                    _pos++;
                }
            }
            else if (char.IsWhiteSpace(c))
            {
                _pos++;
            }
            else
            {
                return;
            }
        }
    }

    private void LexPunctuation(char c, int start)
    {
        var next = _pos + 1 < _query.Length ? _query[_pos + 1] : '\0';
        (PromTokenKind Kind, int Length) token = c switch
        {
            '(' => (PromTokenKind.LeftParen, 1),
            ')' => (PromTokenKind.RightParen, 1),
            '{' => (PromTokenKind.LeftBrace, 1),
            '}' => (PromTokenKind.RightBrace, 1),
            '[' => (PromTokenKind.LeftBracket, 1),
            ']' => (PromTokenKind.RightBracket, 1),
            ',' => (PromTokenKind.Comma, 1),
            ':' => (PromTokenKind.Colon, 1),
            '@' => (PromTokenKind.At, 1),
            '+' => (PromTokenKind.Add, 1),
            '-' => (PromTokenKind.Sub, 1),
            '*' => (PromTokenKind.Mul, 1),
            '/' => (PromTokenKind.Div, 1),
            '%' => (PromTokenKind.Mod, 1),
            '^' => (PromTokenKind.Pow, 1),
            '=' when next == '=' => (PromTokenKind.Eql, 2),
            '=' when next == '~' => (PromTokenKind.EqlRegex, 2),
            '=' => (PromTokenKind.Assign, 1),
            '!' when next == '=' => (PromTokenKind.Neq, 2),
            '!' when next == '~' => (PromTokenKind.NeqRegex, 2),
            '<' when next == '=' => (PromTokenKind.Lte, 2),
            '<' => (PromTokenKind.Lss, 1),
            '>' when next == '=' => (PromTokenKind.Gte, 2),
            '>' => (PromTokenKind.Gtr, 1),
            _ => throw PromParser.Error(start, $"unexpected character: '{c}'"),
        };

        if (token.Kind == PromTokenKind.LeftBrace)
        {
            _braceDepth++;
        }
        else if (token.Kind == PromTokenKind.RightBrace)
        {
            _braceDepth = Math.Max(0, _braceDepth - 1);
        }
        else if (token.Kind == PromTokenKind.LeftBracket)
        {
            // Inside brackets a colon separates a subquery's range from its step; it starts no metric name.
            _bracketDepth++;
        }
        else if (token.Kind == PromTokenKind.RightBracket)
        {
            _bracketDepth = Math.Max(0, _bracketDepth - 1);
        }

        _pos += token.Length;
        _tokens.Add(new PromToken(token.Kind, _query[start.._pos], start));
    }

    private void LexWord()
    {
        var start = _pos;
        while (_pos < _query.Length && IsIdentifierPart(_query[_pos]))
        {
            _pos++;
        }

        var word = _query[start.._pos];
        if (_braceDepth > 0)
        {
            _tokens.Add(new PromToken(PromTokenKind.Identifier, word, start));
        }
        else if (PromKeywords.Table.TryGetValue(word, out var kind))
        {
            _tokens.Add(new PromToken(kind, word, start));
        }
        else
        {
            _tokens.Add(new PromToken(word.Contains(':', StringComparison.Ordinal) ? PromTokenKind.MetricIdentifier : PromTokenKind.Identifier, word, start));
        }
    }

    private void LexNumberOrDuration()
    {
        var start = _pos;
        if (TryLexDuration())
        {
            _tokens.Add(new PromToken(PromTokenKind.Duration, _query[start.._pos], start));
            return;
        }

        _pos = start;
        if (_query[_pos] == '0' && _pos + 1 < _query.Length && _query[_pos + 1] is 'x' or 'X')
        {
            _pos += 2;
            while (_pos < _query.Length && char.IsAsciiHexDigit(_query[_pos]))
            {
                _pos++;
            }
        }
        else
        {
            SkipDigits();
            if (_pos < _query.Length && _query[_pos] == '.')
            {
                _pos++;
                SkipDigits();
            }

            if (_pos < _query.Length && _query[_pos] is 'e' or 'E')
            {
                _pos++;
                if (_pos < _query.Length && _query[_pos] is '+' or '-')
                {
                    _pos++;
                }

                SkipDigits();
            }
        }

        if (_pos < _query.Length && (char.IsAsciiLetterOrDigit(_query[_pos]) || _query[_pos] == '_' || _query[_pos] == '.'))
        {
            while (_pos < _query.Length && (char.IsAsciiLetterOrDigit(_query[_pos]) || _query[_pos] == '.'))
            {
                _pos++;
            }

            throw PromParser.Error(start, $"bad number or duration syntax: \"{_query[start.._pos]}\"");
        }

        _tokens.Add(new PromToken(PromTokenKind.Number, _query[start.._pos], start));
    }

    /// <summary>Digits and a unit, repeated (5m, 1h30m, 100ms); leaves the position after it on success.</summary>
    private bool TryLexDuration()
    {
        var any = false;
        while (_pos < _query.Length && char.IsAsciiDigit(_query[_pos]))
        {
            SkipDigits();
            var unitStart = _pos;
            if (_pos + 1 < _query.Length && _query[_pos] == 'm' && _query[_pos + 1] == 's')
            {
                _pos += 2;
            }
            else if (_pos < _query.Length && _query[_pos] is 'y' or 'w' or 'd' or 'h' or 'm' or 's')
            {
                _pos++;
            }

            if (_pos == unitStart)
            {
                return false;
            }

            any = true;
        }

        // A colon may follow: [5m:1m] is a subquery, which the parser names.
        return any && (_pos >= _query.Length || !(char.IsAsciiLetterOrDigit(_query[_pos]) || _query[_pos] == '_'));
    }

    private void SkipDigits()
    {
        while (_pos < _query.Length && char.IsAsciiDigit(_query[_pos]))
        {
            _pos++;
        }
    }

    private void LexString(char quote)
    {
        var start = _pos;
        _pos++;
        while (true)
        {
            if (_pos >= _query.Length || (quote != '`' && _query[_pos] == '\n'))
            {
                throw PromParser.Error(start, "unterminated quoted string");
            }

            var c = _query[_pos];
            if (c == '\\' && quote != '`')
            {
                _pos += 2;
                continue;
            }

            _pos++;
            if (c == quote)
            {
                break;
            }
        }

        _tokens.Add(new PromToken(PromTokenKind.String, _query[start.._pos], start));
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_' || c == ':';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':';
}
