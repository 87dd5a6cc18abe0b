"""A tree-walking interpreter for Lox: ./your_program.sh tokenize|parse|evaluate|run FILE."""

import sys
import time
from dataclasses import dataclass


class Lox:
    """Where output and errors go, and whether a compile error was seen (exit 65)."""

    def __init__(self, out, err):
        self.out = out
        self.err = err
        self.had_error = False

    def error(self, line, message):
        self.report(line, "", message)

    def report(self, line, where, message):
        self.err.write(f"[line {line}] Error{where}: {message}\n")
        self.had_error = True

    def token_error(self, token, message):
        if token.kind == "EOF":
            self.report(token.line, " at end", message)
        else:
            self.report(token.line, f" at '{token.lexeme}'", message)

    def runtime_error(self, error):
        self.err.write(f"{error.message}\n[line {error.token.line}]\n")


# --- Scanning -------------------------------------------------------------------------

SINGLE = {
    "(": "LEFT_PAREN",
    ")": "RIGHT_PAREN",
    "{": "LEFT_BRACE",
    "}": "RIGHT_BRACE",
    ",": "COMMA",
    ".": "DOT",
    "-": "MINUS",
    "+": "PLUS",
    ";": "SEMICOLON",
    "*": "STAR",
}

# A character that may be followed by "=": its token alone, and with the "=".
PAIRS = {
    "!": ("BANG", "BANG_EQUAL"),
    "=": ("EQUAL", "EQUAL_EQUAL"),
    "<": ("LESS", "LESS_EQUAL"),
    ">": ("GREATER", "GREATER_EQUAL"),
}

KEYWORDS = {
    word: word.upper()
    for word in (
        "and", "class", "else", "false", "for", "fun", "if", "nil",
        "or", "print", "return", "super", "this", "true", "var", "while",
    )
}  # fmt: skip


class Token:
    def __init__(self, kind, lexeme, literal, line):
        self.kind = kind
        self.lexeme = lexeme
        self.literal = literal
        self.line = line

    def __str__(self):
        return f"{self.kind} {self.lexeme} {literal_text(self.literal)}"


def literal_text(value):
    """A token's literal as jlox prints it: null, the string's text, or the number."""
    if value is None:
        return "null"
    if isinstance(value, float):
        return java_double(value)
    return value


def java_double(value):
    """A number as Java's Double.toString writes it: 12.0, 0.5, 1.0E7, Infinity."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 or 1e-3 <= abs(value) < 1e7:
        return repr(value)
    digits = repr(abs(value)).replace("e", "E")
    mantissa, _, exponent = digits.partition("E")
    whole, _, fraction = mantissa.partition(".")
    shift = int(exponent or 0)
    if whole == "0":  # 0.000123 -> 1.23E-4
        stripped = fraction.lstrip("0")
        shift -= len(fraction) - len(stripped) + 1
        whole, fraction = stripped[0], stripped[1:]
    else:  # 12345678.0 -> 1.2345678E7
        shift += len(whole) - 1
        whole, fraction = whole[0], whole[1:] + fraction
    fraction = fraction.rstrip("0") or "0"
    return f"{'-' if value < 0 else ''}{whole}.{fraction}E{shift}"


class Scanner:
    def __init__(self, source, lox):
        self.source = source
        self.lox = lox
        self.tokens = []
        self.start = 0
        self.current = 0
        self.line = 1

    def scan_tokens(self):
        while not self.is_at_end():
            self.start = self.current
            self.scan_token()
        self.tokens.append(Token("EOF", "", None, self.line))
        return self.tokens

    def is_at_end(self):
        return self.current >= len(self.source)

    def advance(self):
        self.current += 1
        return self.source[self.current - 1]

    def match(self, expected):
        if self.is_at_end() or self.source[self.current] != expected:
            return False
        self.current += 1
        return True

    def peek(self):
        return "\0" if self.is_at_end() else self.source[self.current]

    def peek_next(self):
        return "\0" if self.current + 1 >= len(self.source) else self.source[self.current + 1]

    def add_token(self, kind, literal=None):
        self.tokens.append(Token(kind, self.source[self.start : self.current], literal, self.line))

    def scan_token(self):
        c = self.advance()
        if c in SINGLE:
            self.add_token(SINGLE[c])
        elif c in PAIRS:
            alone, with_equal = PAIRS[c]
            self.add_token(with_equal if self.match("=") else alone)
        elif c == "/":
            if self.match("/"):  # a comment runs to the end of the line
                while self.peek() != "\n" and not self.is_at_end():
                    self.advance()
            else:
                self.add_token("SLASH")
        elif c in " \r\t":
            pass
        elif c == "\n":
            self.line += 1
        elif c == '"':
            self.string()
        elif is_digit(c):
            self.number()
        elif is_alpha(c):
            self.identifier()
        else:
            self.lox.error(self.line, "Unexpected character.")

    def string(self):
        while self.peek() != '"' and not self.is_at_end():
            if self.peek() == "\n":
                self.line += 1
            self.advance()
        if self.is_at_end():
            self.lox.error(self.line, "Unterminated string.")
            return
        self.advance()  # the closing quote
        self.add_token("STRING", self.source[self.start + 1 : self.current - 1])

    def number(self):
        while is_digit(self.peek()):
            self.advance()
        if self.peek() == "." and is_digit(self.peek_next()):
            self.advance()  # the dot
            while is_digit(self.peek()):
                self.advance()
        self.add_token("NUMBER", float(self.source[self.start : self.current]))

    def identifier(self):
        while is_alpha(self.peek()) or is_digit(self.peek()):
            self.advance()
        text = self.source[self.start : self.current]
        self.add_token(KEYWORDS.get(text, "IDENTIFIER"))


def is_digit(c):
    return "0" <= c <= "9"


def is_alpha(c):
    return "a" <= c <= "z" or "A" <= c <= "Z" or c == "_"


# --- The syntax tree ------------------------------------------------------------------
# eq=False: nodes compare (and hash) by identity, so two equal-looking expressions in
# different places stay apart.


@dataclass(eq=False)
class Literal:
    value: object


@dataclass(eq=False)
class Grouping:
    expression: object


@dataclass(eq=False)
class Unary:
    operator: Token
    right: object


@dataclass(eq=False)
class Binary:
    left: object
    operator: Token
    right: object


@dataclass(eq=False)
class Variable:
    name: Token


@dataclass(eq=False)
class Assign:
    name: Token
    value: object


@dataclass(eq=False)
class Logical:
    left: object
    operator: Token
    right: object


@dataclass(eq=False)
class Call:
    callee: object
    paren: Token
    arguments: list


@dataclass(eq=False)
class Get:
    object: object
    name: Token


@dataclass(eq=False)
class Set:
    object: object
    name: Token
    value: object


@dataclass(eq=False)
class This:
    keyword: Token


@dataclass(eq=False)
class Super:
    keyword: Token
    method: Token


@dataclass(eq=False)
class ExpressionStmt:
    expression: object


@dataclass(eq=False)
class Print:
    keyword: Token
    expression: object


@dataclass(eq=False)
class Var:
    name: Token
    initializer: object


@dataclass(eq=False)
class Block:
    statements: list


@dataclass(eq=False)
class If:
    condition: object
    then_branch: object
    else_branch: object


@dataclass(eq=False)
class While:
    condition: object
    body: object


@dataclass(eq=False)
class Function:
    name: Token
    params: list
    body: list


@dataclass(eq=False)
class Return:
    keyword: Token
    value: object


@dataclass(eq=False)
class Class:
    name: Token
    superclass: object
    methods: list


# --- Parsing --------------------------------------------------------------------------


class ParseError(Exception):
    pass


class Parser:
    def __init__(self, tokens, lox):
        self.tokens = tokens
        self.lox = lox
        self.current = 0

    def parse(self):
        statements = []
        while not self.is_at_end():
            statements.append(self.declaration())
        return statements

    def declaration(self):
        try:
            if self.match("CLASS"):
                return self.class_declaration()
            if self.match("FUN"):
                return self.function("function")
            if self.match("VAR"):
                return self.var_declaration()
            return self.statement()
        except ParseError:
            self.synchronize()
            return None

    def class_declaration(self):
        name = self.consume("IDENTIFIER", "Expect class name.")
        superclass = None
        if self.match("LESS"):
            self.consume("IDENTIFIER", "Expect superclass name.")
            superclass = Variable(self.previous())
        self.consume("LEFT_BRACE", "Expect '{' before class body.")
        methods = []
        while not self.check("RIGHT_BRACE") and not self.is_at_end():
            methods.append(self.function("method"))
        self.consume("RIGHT_BRACE", "Expect '}' after class body.")
        return Class(name, superclass, methods)

    def function(self, kind):
        name = self.consume("IDENTIFIER", f"Expect {kind} name.")
        self.consume("LEFT_PAREN", f"Expect '(' after {kind} name.")
        params = []
        if not self.check("RIGHT_PAREN"):
            while True:
                if len(params) >= 255:
                    self.error(self.peek(), "Can't have more than 255 parameters.")
                params.append(self.consume("IDENTIFIER", "Expect parameter name."))
                if not self.match("COMMA"):
                    break
        self.consume("RIGHT_PAREN", "Expect ')' after parameters.")
        self.consume("LEFT_BRACE", f"Expect '{{' before {kind} body.")
        return Function(name, params, self.block())

    def var_declaration(self):
        name = self.consume("IDENTIFIER", "Expect variable name.")
        initializer = self.expression() if self.match("EQUAL") else None
        self.consume("SEMICOLON", "Expect ';' after variable declaration.")
        return Var(name, initializer)

    def statement(self):
        if self.match("FOR"):
            return self.for_statement()
        if self.match("IF"):
            return self.if_statement()
        if self.match("PRINT"):
            return self.print_statement()
        if self.match("RETURN"):
            return self.return_statement()
        if self.match("WHILE"):
            return self.while_statement()
        if self.match("LEFT_BRACE"):
            return Block(self.block())
        return self.expression_statement()

    def for_statement(self):
        """A for loop is sugar: it becomes a block holding the initializer and a while loop."""
        self.consume("LEFT_PAREN", "Expect '(' after 'for'.")
        if self.match("SEMICOLON"):
            initializer = None
        elif self.match("VAR"):
            initializer = self.var_declaration()
        else:
            initializer = self.expression_statement()
        condition = None if self.check("SEMICOLON") else self.expression()
        self.consume("SEMICOLON", "Expect ';' after loop condition.")
        increment = None if self.check("RIGHT_PAREN") else self.expression()
        self.consume("RIGHT_PAREN", "Expect ')' after for clauses.")
        body = self.statement()
        if increment is not None:
            body = Block([body, ExpressionStmt(increment)])
        body = While(condition if condition is not None else Literal(True), body)
        if initializer is not None:
            body = Block([initializer, body])
        return body

    def if_statement(self):
        self.consume("LEFT_PAREN", "Expect '(' after 'if'.")
        condition = self.expression()
        self.consume("RIGHT_PAREN", "Expect ')' after if condition.")
        then_branch = self.statement()
        else_branch = self.statement() if self.match("ELSE") else None
        return If(condition, then_branch, else_branch)

    def print_statement(self):
        keyword = self.previous()
        value = self.expression()
        self.consume("SEMICOLON", "Expect ';' after value.")
        return Print(keyword, value)

    def return_statement(self):
        keyword = self.previous()
        value = None if self.check("SEMICOLON") else self.expression()
        self.consume("SEMICOLON", "Expect ';' after return value.")
        return Return(keyword, value)

    def while_statement(self):
        self.consume("LEFT_PAREN", "Expect '(' after 'while'.")
        condition = self.expression()
        self.consume("RIGHT_PAREN", "Expect ')' after condition.")
        return While(condition, self.statement())

    def block(self):
        statements = []
        while not self.check("RIGHT_BRACE") and not self.is_at_end():
            statements.append(self.declaration())
        self.consume("RIGHT_BRACE", "Expect '}' after block.")
        return statements

    def expression_statement(self):
        expr = self.expression()
        self.consume("SEMICOLON", "Expect ';' after expression.")
        return ExpressionStmt(expr)

    def expression(self):
        return self.assignment()

    def assignment(self):
        expr = self.or_()
        if self.match("EQUAL"):
            equals = self.previous()
            value = self.assignment()
            if isinstance(expr, Variable):
                return Assign(expr.name, value)
            if isinstance(expr, Get):
                return Set(expr.object, expr.name, value)
            self.error(equals, "Invalid assignment target.")  # reported, not thrown
        return expr

    def or_(self):
        expr = self.and_()
        while self.match("OR"):
            operator = self.previous()
            expr = Logical(expr, operator, self.and_())
        return expr

    def and_(self):
        expr = self.equality()
        while self.match("AND"):
            operator = self.previous()
            expr = Logical(expr, operator, self.equality())
        return expr

    def equality(self):
        return self.binary(self.comparison, "BANG_EQUAL", "EQUAL_EQUAL")

    def comparison(self):
        return self.binary(self.term, "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL")

    def term(self):
        return self.binary(self.factor, "MINUS", "PLUS")

    def factor(self):
        return self.binary(self.unary, "SLASH", "STAR")

    def binary(self, operand, *operators):
        """A left-associative level: operand (operator operand)*, folded to the left."""
        expr = operand()
        while self.match(*operators):
            operator = self.previous()
            expr = Binary(expr, operator, operand())
        return expr

    def unary(self):
        if self.match("BANG", "MINUS"):
            operator = self.previous()
            return Unary(operator, self.unary())
        return self.call()

    def call(self):
        expr = self.primary()
        while True:
            if self.match("LEFT_PAREN"):
                expr = self.finish_call(expr)
            elif self.match("DOT"):
                name = self.consume("IDENTIFIER", "Expect property name after '.'.")
                expr = Get(expr, name)
            else:
                return expr

    def finish_call(self, callee):
        arguments = []
        if not self.check("RIGHT_PAREN"):
            while True:
                if len(arguments) >= 255:
                    self.error(self.peek(), "Can't have more than 255 arguments.")
                arguments.append(self.expression())
                if not self.match("COMMA"):
                    break
        paren = self.consume("RIGHT_PAREN", "Expect ')' after arguments.")
        return Call(callee, paren, arguments)

    def primary(self):
        if self.match("FALSE"):
            return Literal(False)
        if self.match("TRUE"):
            return Literal(True)
        if self.match("NIL"):
            return Literal(None)
        if self.match("NUMBER", "STRING"):
            return Literal(self.previous().literal)
        if self.match("SUPER"):
            keyword = self.previous()
            self.consume("DOT", "Expect '.' after 'super'.")
            method = self.consume("IDENTIFIER", "Expect superclass method name.")
            return Super(keyword, method)
        if self.match("THIS"):
            return This(self.previous())
        if self.match("IDENTIFIER"):
            return Variable(self.previous())
        if self.match("LEFT_PAREN"):
            expr = self.expression()
            self.consume("RIGHT_PAREN", "Expect ')' after expression.")
            return Grouping(expr)
        raise self.error(self.peek(), "Expect expression.")

    def match(self, *kinds):
        if any(self.check(kind) for kind in kinds):
            self.advance()
            return True
        return False

    def consume(self, kind, message):
        if self.check(kind):
            return self.advance()
        raise self.error(self.peek(), message)

    def check(self, kind):
        return not self.is_at_end() and self.peek().kind == kind

    def advance(self):
        if not self.is_at_end():
            self.current += 1
        return self.previous()

    def is_at_end(self):
        return self.peek().kind == "EOF"

    def peek(self):
        return self.tokens[self.current]

    def previous(self):
        return self.tokens[self.current - 1]

    def error(self, token, message):
        self.lox.token_error(token, message)
        return ParseError(message)

    def synchronize(self):
        """Skip to the start of the next statement, so one mistake reports one error."""
        self.advance()
        while not self.is_at_end():
            if self.previous().kind == "SEMICOLON":
                return
            if self.peek().kind in ("CLASS", "FUN", "VAR", "FOR", "IF", "WHILE", "PRINT", "RETURN"):
                return
            self.advance()


class AstPrinter:
    """The tree in prefix form: (+ 1.0 (group (- 2.0)))."""

    def print(self, expr):
        if isinstance(expr, Literal):
            if expr.value is None:
                return "nil"
            if isinstance(expr.value, bool):
                return "true" if expr.value else "false"
            return literal_text(expr.value)
        if isinstance(expr, Grouping):
            return self.parenthesize("group", expr.expression)
        if isinstance(expr, Unary):
            return self.parenthesize(expr.operator.lexeme, expr.right)
        if isinstance(expr, Binary):
            return self.parenthesize(expr.operator.lexeme, expr.left, expr.right)
        if isinstance(expr, Variable):
            return expr.name.lexeme
        raise ValueError(f"cannot print {type(expr).__name__}")

    def parenthesize(self, name, *exprs):
        return "(" + " ".join([name, *(self.print(e) for e in exprs)]) + ")"


# --- Evaluating -----------------------------------------------------------------------


class LoxRuntimeError(Exception):
    def __init__(self, token, message):
        super().__init__(message)
        self.token = token
        self.message = message


class ReturnValue(Exception):
    """Thrown by a return statement, caught by the call that runs the function's body."""

    def __init__(self, value):
        super().__init__()
        self.value = value


class Environment:
    def __init__(self, enclosing=None):
        self.values = {}
        self.enclosing = enclosing

    def define(self, name, value):
        self.values[name] = value

    def get(self, name):
        if name.lexeme in self.values:
            return self.values[name.lexeme]
        if self.enclosing is not None:
            return self.enclosing.get(name)
        raise LoxRuntimeError(name, f"Undefined variable '{name.lexeme}'.")

    def assign(self, name, value):
        if name.lexeme in self.values:
            self.values[name.lexeme] = value
            return
        if self.enclosing is not None:
            self.enclosing.assign(name, value)
            return
        raise LoxRuntimeError(name, f"Undefined variable '{name.lexeme}'.")

    def ancestor(self, distance):
        environment = self
        for _ in range(distance):
            environment = environment.enclosing
        return environment

    def get_at(self, distance, name):
        return self.ancestor(distance).values[name]

    def assign_at(self, distance, name, value):
        self.ancestor(distance).values[name.lexeme] = value


class LoxCallable:
    def arity(self):
        raise NotImplementedError

    def call(self, interpreter, arguments):
        raise NotImplementedError


class Clock(LoxCallable):
    def arity(self):
        return 0

    def call(self, interpreter, arguments):
        return time.time()

    def __str__(self):
        return "<native fn>"


class LoxFunction(LoxCallable):
    def __init__(self, declaration, closure, is_initializer=False):
        self.declaration = declaration
        self.closure = closure
        self.is_initializer = is_initializer

    def bind(self, instance):
        environment = Environment(self.closure)
        environment.define("this", instance)
        return LoxFunction(self.declaration, environment, self.is_initializer)

    def arity(self):
        return len(self.declaration.params)

    def call(self, interpreter, arguments):
        environment = Environment(self.closure)
        for i, param in enumerate(self.declaration.params):
            environment.define(param.lexeme, arguments[i])
        try:
            interpreter.execute_block(self.declaration.body, environment)
        except ReturnValue as returned:
            if self.is_initializer:
                return self.closure.get_at(0, "this")
            return returned.value
        if self.is_initializer:
            return self.closure.get_at(0, "this")
        return None

    def __str__(self):
        return f"<fn {self.declaration.name.lexeme}>"


class LoxClass(LoxCallable):
    def __init__(self, name, superclass, methods):
        self.name = name
        self.superclass = superclass
        self.methods = methods

    def find_method(self, name):
        if name in self.methods:
            return self.methods[name]
        if self.superclass is not None:
            return self.superclass.find_method(name)
        return None

    def arity(self):
        initializer = self.find_method("init")
        return 0 if initializer is None else initializer.arity()

    def call(self, interpreter, arguments):
        instance = LoxInstance(self)
        initializer = self.find_method("init")
        if initializer is not None:
            initializer.bind(instance).call(interpreter, arguments)
        return instance

    def __str__(self):
        return self.name


class LoxInstance:
    def __init__(self, klass):
        self.klass = klass
        self.fields = {}

    def get(self, name):
        if name.lexeme in self.fields:
            return self.fields[name.lexeme]
        method = self.klass.find_method(name.lexeme)
        if method is not None:
            return method.bind(self)
        raise LoxRuntimeError(name, f"Undefined property '{name.lexeme}'.")

    def set(self, name, value):
        self.fields[name.lexeme] = value

    def __str__(self):
        return f"{self.klass.name} instance"


class Interpreter:
    def __init__(self, lox):
        self.lox = lox
        self.globals = Environment()
        self.environment = self.globals
        self.locals = {}
        self.globals.define("clock", Clock())

    def interpret(self, statements):
        try:
            for statement in statements:
                self.execute(statement)
            return True
        except LoxRuntimeError as error:
            self.lox.runtime_error(error)
            return False

    def interpret_expression(self, expr):
        try:
            value = self.evaluate(expr)
        except LoxRuntimeError as error:
            self.lox.runtime_error(error)
            return False
        self.lox.out.write(stringify(value) + "\n")
        return True

    def evaluate(self, expr):
        return getattr(self, "visit_" + type(expr).__name__.lower())(expr)

    def execute(self, stmt):
        getattr(self, "visit_" + type(stmt).__name__.lower())(stmt)

    def resolve(self, expr, depth):
        self.locals[expr] = depth

    def look_up_variable(self, name, expr):
        distance = self.locals.get(expr)
        if distance is not None:
            return self.environment.get_at(distance, name.lexeme)
        return self.globals.get(name)

    def execute_block(self, statements, environment):
        previous = self.environment
        try:
            self.environment = environment
            for statement in statements:
                self.execute(statement)
        finally:
            self.environment = previous

    # Statements

    def visit_expressionstmt(self, stmt):
        self.evaluate(stmt.expression)

    def visit_print(self, stmt):
        self.lox.out.write(stringify(self.evaluate(stmt.expression)) + "\n")

    def visit_var(self, stmt):
        value = None if stmt.initializer is None else self.evaluate(stmt.initializer)
        self.environment.define(stmt.name.lexeme, value)

    def visit_block(self, stmt):
        self.execute_block(stmt.statements, Environment(self.environment))

    def visit_if(self, stmt):
        if is_truthy(self.evaluate(stmt.condition)):
            self.execute(stmt.then_branch)
        elif stmt.else_branch is not None:
            self.execute(stmt.else_branch)

    def visit_while(self, stmt):
        while is_truthy(self.evaluate(stmt.condition)):
            self.execute(stmt.body)

    def visit_function(self, stmt):
        function = LoxFunction(stmt, self.environment)
        self.environment.define(stmt.name.lexeme, function)

    def visit_return(self, stmt):
        value = None if stmt.value is None else self.evaluate(stmt.value)
        raise ReturnValue(value)

    def visit_class(self, stmt):
        superclass = None
        if stmt.superclass is not None:
            superclass = self.evaluate(stmt.superclass)
            if not isinstance(superclass, LoxClass):
                raise LoxRuntimeError(stmt.superclass.name, "Superclass must be a class.")
        self.environment.define(stmt.name.lexeme, None)
        if stmt.superclass is not None:
            self.environment = Environment(self.environment)
            self.environment.define("super", superclass)
        methods = {}
        for method in stmt.methods:
            is_initializer = method.name.lexeme == "init"
            methods[method.name.lexeme] = LoxFunction(method, self.environment, is_initializer)
        klass = LoxClass(stmt.name.lexeme, superclass, methods)
        if stmt.superclass is not None:
            self.environment = self.environment.enclosing
        self.environment.assign(stmt.name, klass)

    # Expressions

    def visit_literal(self, expr):
        return expr.value

    def visit_grouping(self, expr):
        return self.evaluate(expr.expression)

    def visit_unary(self, expr):
        right = self.evaluate(expr.right)
        if expr.operator.kind == "MINUS":
            check_number_operand(expr.operator, right)
            return -right
        return not is_truthy(right)

    def visit_binary(self, expr):
        left = self.evaluate(expr.left)
        right = self.evaluate(expr.right)
        kind = expr.operator.kind
        if kind == "PLUS":
            if isinstance(left, float) and isinstance(right, float):
                return left + right
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            raise LoxRuntimeError(expr.operator, "Operands must be two numbers or two strings.")
        if kind == "EQUAL_EQUAL":
            return is_equal(left, right)
        if kind == "BANG_EQUAL":
            return not is_equal(left, right)
        check_number_operands(expr.operator, left, right)
        if kind == "MINUS":
            return left - right
        if kind == "STAR":
            return left * right
        if kind == "SLASH":
            return divide(left, right)
        if kind == "GREATER":
            return left > right
        if kind == "GREATER_EQUAL":
            return left >= right
        if kind == "LESS":
            return left < right
        if kind == "LESS_EQUAL":
            return left <= right
        raise ValueError(f"unknown operator {expr.operator.lexeme}")

    def visit_variable(self, expr):
        return self.look_up_variable(expr.name, expr)

    def visit_assign(self, expr):
        value = self.evaluate(expr.value)
        distance = self.locals.get(expr)
        if distance is not None:
            self.environment.assign_at(distance, expr.name, value)
        else:
            self.globals.assign(expr.name, value)
        return value

    def visit_logical(self, expr):
        """and/or give back an operand, not true or false, and skip the right one when the
        left decides."""
        left = self.evaluate(expr.left)
        if expr.operator.kind == "OR":
            if is_truthy(left):
                return left
        elif not is_truthy(left):
            return left
        return self.evaluate(expr.right)

    def visit_call(self, expr):
        callee = self.evaluate(expr.callee)
        arguments = [self.evaluate(argument) for argument in expr.arguments]
        if not isinstance(callee, LoxCallable):
            raise LoxRuntimeError(expr.paren, "Can only call functions and classes.")
        if len(arguments) != callee.arity():
            raise LoxRuntimeError(
                expr.paren, f"Expected {callee.arity()} arguments but got {len(arguments)}."
            )
        return callee.call(self, arguments)

    def visit_get(self, expr):
        target = self.evaluate(expr.object)
        if isinstance(target, LoxInstance):
            return target.get(expr.name)
        raise LoxRuntimeError(expr.name, "Only instances have properties.")

    def visit_set(self, expr):
        target = self.evaluate(expr.object)
        if not isinstance(target, LoxInstance):
            raise LoxRuntimeError(expr.name, "Only instances have fields.")
        value = self.evaluate(expr.value)
        target.set(expr.name, value)
        return value

    def visit_this(self, expr):
        return self.look_up_variable(expr.keyword, expr)

    def visit_super(self, expr):
        distance = self.locals[expr]
        superclass = self.environment.get_at(distance, "super")
        instance = self.environment.get_at(distance - 1, "this")
        method = superclass.find_method(expr.method.lexeme)
        if method is None:
            raise LoxRuntimeError(expr.method, f"Undefined property '{expr.method.lexeme}'.")
        return method.bind(instance)


def divide(left, right):
    """IEEE division, as jlox's doubles do it: 1/0 is Infinity, 0/0 is NaN."""
    if right == 0:
        if left == 0 or left != left:
            return float("nan")
        return float("inf") if (left > 0) == (str(right)[0] != "-") else float("-inf")
    return left / right


def is_truthy(value):
    """Only nil and false are false; 0 and "" are true."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    return True


def is_equal(a, b):
    """Values of different types are never equal: true is not 1, nil is not false."""
    return type(a) is type(b) and a == b


def check_number_operand(operator, operand):
    if not isinstance(operand, float):
        raise LoxRuntimeError(operator, "Operand must be a number.")


def check_number_operands(operator, left, right):
    if not (isinstance(left, float) and isinstance(right, float)):
        raise LoxRuntimeError(operator, "Operands must be numbers.")


def stringify(value):
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = java_double(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


# --- Resolving ------------------------------------------------------------------------


class Resolver:
    """One pass over the tree before running it: each local variable use learns how many
    scopes out its declaration is, so closures see the variable they closed over."""

    def __init__(self, interpreter, lox):
        self.interpreter = interpreter
        self.lox = lox
        self.scopes = []
        self.current_function = "NONE"
        self.current_class = "NONE"

    def resolve(self, statements):
        for statement in statements:
            self.resolve_node(statement)

    def resolve_node(self, node):
        getattr(self, "visit_" + type(node).__name__.lower())(node)

    def begin_scope(self):
        self.scopes.append({})

    def end_scope(self):
        self.scopes.pop()

    def declare(self, name):
        if not self.scopes:
            return
        scope = self.scopes[-1]
        if name.lexeme in scope:
            self.lox.token_error(name, "Already a variable with this name in this scope.")
        scope[name.lexeme] = False

    def define(self, name):
        if self.scopes:
            self.scopes[-1][name.lexeme] = True

    def resolve_local(self, expr, name):
        for depth, scope in enumerate(reversed(self.scopes)):
            if name.lexeme in scope:
                self.interpreter.resolve(expr, depth)
                return

    def resolve_function(self, function, kind):
        enclosing = self.current_function
        self.current_function = kind
        self.begin_scope()
        for param in function.params:
            self.declare(param)
            self.define(param)
        self.resolve(function.body)
        self.end_scope()
        self.current_function = enclosing

    # Statements

    def visit_block(self, stmt):
        self.begin_scope()
        self.resolve(stmt.statements)
        self.end_scope()

    def visit_class(self, stmt):
        enclosing_class = self.current_class
        self.current_class = "CLASS"
        self.declare(stmt.name)
        self.define(stmt.name)
        if stmt.superclass is not None:
            if stmt.superclass.name.lexeme == stmt.name.lexeme:
                self.lox.token_error(stmt.superclass.name, "A class can't inherit from itself.")
            self.current_class = "SUBCLASS"
            self.resolve_node(stmt.superclass)
        if stmt.superclass is not None:
            self.begin_scope()
            self.scopes[-1]["super"] = True
        self.begin_scope()
        self.scopes[-1]["this"] = True
        for method in stmt.methods:
            kind = "INITIALIZER" if method.name.lexeme == "init" else "METHOD"
            self.resolve_function(method, kind)
        self.end_scope()
        if stmt.superclass is not None:
            self.end_scope()
        self.current_class = enclosing_class

    def visit_expressionstmt(self, stmt):
        self.resolve_node(stmt.expression)

    def visit_function(self, stmt):
        self.declare(stmt.name)
        self.define(stmt.name)
        self.resolve_function(stmt, "FUNCTION")

    def visit_if(self, stmt):
        self.resolve_node(stmt.condition)
        self.resolve_node(stmt.then_branch)
        if stmt.else_branch is not None:
            self.resolve_node(stmt.else_branch)

    def visit_print(self, stmt):
        self.resolve_node(stmt.expression)

    def visit_return(self, stmt):
        if self.current_function == "NONE":
            self.lox.token_error(stmt.keyword, "Can't return from top-level code.")
        if stmt.value is not None:
            if self.current_function == "INITIALIZER":
                self.lox.token_error(stmt.keyword, "Can't return a value from an initializer.")
            self.resolve_node(stmt.value)

    def visit_var(self, stmt):
        self.declare(stmt.name)
        if stmt.initializer is not None:
            self.resolve_node(stmt.initializer)
        self.define(stmt.name)

    def visit_while(self, stmt):
        self.resolve_node(stmt.condition)
        self.resolve_node(stmt.body)

    # Expressions

    def visit_variable(self, expr):
        if self.scopes and self.scopes[-1].get(expr.name.lexeme) is False:
            self.lox.token_error(expr.name, "Can't read local variable in its own initializer.")
        self.resolve_local(expr, expr.name)

    def visit_assign(self, expr):
        self.resolve_node(expr.value)
        self.resolve_local(expr, expr.name)

    def visit_binary(self, expr):
        self.resolve_node(expr.left)
        self.resolve_node(expr.right)

    def visit_call(self, expr):
        self.resolve_node(expr.callee)
        for argument in expr.arguments:
            self.resolve_node(argument)

    def visit_get(self, expr):
        self.resolve_node(expr.object)

    def visit_set(self, expr):
        self.resolve_node(expr.value)
        self.resolve_node(expr.object)

    def visit_super(self, expr):
        if self.current_class == "NONE":
            self.lox.token_error(expr.keyword, "Can't use 'super' outside of a class.")
        elif self.current_class != "SUBCLASS":
            self.lox.token_error(expr.keyword, "Can't use 'super' in a class with no superclass.")
        self.resolve_local(expr, expr.keyword)

    def visit_this(self, expr):
        if self.current_class == "NONE":
            self.lox.token_error(expr.keyword, "Can't use 'this' outside of a class.")
            return
        self.resolve_local(expr, expr.keyword)

    def visit_grouping(self, expr):
        self.resolve_node(expr.expression)

    def visit_literal(self, expr):
        pass

    def visit_logical(self, expr):
        self.resolve_node(expr.left)
        self.resolve_node(expr.right)

    def visit_unary(self, expr):
        self.resolve_node(expr.right)


# --- The commands ---------------------------------------------------------------------


def run(command, source, out, err):
    """Run one command over a program's text; the exit code: 0, 65 (it does not compile)
    or 70 (it failed while running)."""
    lox = Lox(out, err)
    tokens = Scanner(source, lox).scan_tokens()
    if command == "tokenize":
        for token in tokens:
            out.write(f"{token}\n")
        return 65 if lox.had_error else 0
    parser = Parser(tokens, lox)
    if command in ("parse", "evaluate"):
        try:
            expr = parser.expression()
        except ParseError:
            return 65
        if lox.had_error:
            return 65
        if command == "parse":
            out.write(AstPrinter().print(expr) + "\n")
            return 0
        ok = Interpreter(lox).interpret_expression(expr)
        return 0 if ok else 70
    if command == "run":
        statements = parser.parse()
        if lox.had_error:
            return 65
        interpreter = Interpreter(lox)
        Resolver(interpreter, lox).resolve(statements)
        if lox.had_error:
            return 65
        return 0 if interpreter.interpret(statements) else 70
    err.write(f"Unknown command: {command}\n")
    return 64


def main():
    if len(sys.argv) < 3:
        print("Usage: ./your_program.sh tokenize|parse|evaluate|run FILE", file=sys.stderr)
        sys.exit(64)
    command, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as file:
        source = file.read()
    sys.setrecursionlimit(20_000)
    sys.exit(run(command, source, sys.stdout, sys.stderr))


if __name__ == "__main__":
    main()
