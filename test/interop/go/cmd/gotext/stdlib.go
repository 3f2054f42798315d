package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// stdlibTexts: io (as encoding/json's Decoder returns it), context and net/url.
func stdlibTexts(t texts) {
	var v interface{}
	t.addErr("eof", json.NewDecoder(strings.NewReader("")).Decode(&v))
	t.addErr("unexpectedEOF#json.Decoder", json.NewDecoder(strings.NewReader(`{"a"`)).Decode(&v))

	ctx, cancel := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel()
	<-ctx.Done()
	t.addErr("contextDeadlineExceeded", ctx.Err())

	_, err := url.ParseQuery("a=1;b=2")
	t.addErr("invalidSemicolonSeparator", err)
	_, err = url.ParseQuery("a=%zz")
	t.addErr(fmt.Sprintf("invalidUrlEscape(%q)", `"%zz"`), err)

	// net/http: ServeMux's answer for an unknown path (without its newline), MaxBytesReader's error.
	rec := httptest.NewRecorder()
	http.NewServeMux().ServeHTTP(rec, httptest.NewRequest("GET", "/nowhere", nil))
	t.add("notFound", strings.TrimSuffix(rec.Body.String(), "\n"))
	_, err = io.ReadAll(http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(strings.NewReader("too long")), 3))
	t.addErr("requestBodyTooLarge", err)
}

// Inner and Outer give a type error inside a nested struct field.
type Inner struct{ B int }
type Outer struct{ A Inner }

// scanCase is an input whose first error is at byte c in the scanner state named by context.
type scanCase struct {
	context string
	c       byte
	input   string
}

var scanCases = []scanCase{
	{"scan.beginningOfValue", 'x', `x`},
	{"scan.beginningOfObjectKey", 'x', `{x`},
	{"scan.afterObjectKey", 'x', `{"a"x`},
	{"scan.afterObjectKeyValue", 'x', `{"a":1x`},
	{"scan.afterArrayElement", 'x', `[1x`},
	{"scan.afterTopLevelValue", 'x', `{} x`},
	{"scan.inStringLiteral", 0x01, "\"\x01"},
	{"scan.inStringEscape", 'x', `"\x`},
	{"scan.inNumericLiteral", 'x', `-x`},
	{"scan.afterDecimalPoint", 'x', `1.x`},
	{"scan.inExponent", 'x', `1ex`},
	{"scan.inUnicodeEscape", 'x', `"\u12x`},
	{`scan.inLiteral("true", "r")`, 'x', `tx`},
	{`scan.inLiteral("true", "u")`, 'x', `trx`},
	{`scan.inLiteral("true", "e")`, 'x', `trux`},
	{`scan.inLiteral("false", "a")`, 'x', `fx`},
	{`scan.inLiteral("false", "l")`, 'x', `fax`},
	{`scan.inLiteral("false", "s")`, 'x', `falx`},
	{`scan.inLiteral("false", "e")`, 'x', `falsx`},
	{`scan.inLiteral("null", "l")`, 'x', `nux`},
}

// unmarshalErr is json.Unmarshal's error for input (into an interface{}).
func unmarshalErr(input string) error {
	var v interface{}
	return json.Unmarshal([]byte(input), &v)
}

// nested is depth arrays, one inside the other.
func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

// jsonTexts: encoding/json's type errors, every scanner context, every byte as quoteChar shows
// it, the nesting limit, and Marshal's errors.
func jsonTexts(t texts) {
	var n int
	t.addErr(`cannotUnmarshal("string", "int")`, json.Unmarshal([]byte(`"x"`), &n))
	var o Outer
	t.addErr(`cannotUnmarshalField("string", "Inner", "A.B", "int")`, json.Unmarshal([]byte(`{"A":{"B":"x"}}`), &o))

	for _, s := range scanCases {
		t.addErr(fmt.Sprintf("invalidCharacter(%s, %s)", hex(s.c), s.context), unmarshalErr(s.input))
	}
	// Every byte after "n" (or after "t" for the 'u' that "n" expects): quoteChar of each.
	for i := 0; i < 256; i++ {
		c := byte(i)
		literal, next := "null", "u"
		if c == 'u' {
			literal, next = "true", "r"
		}
		name := fmt.Sprintf("invalidCharacter(%s, scan.inLiteral(%q, %q))", hex(c), literal, next)
		t.addErr(name, unmarshalErr(literal[:1]+string([]byte{c})))
	}

	// The deepest nesting Unmarshal accepts (binary search up to 1<<20), and the error one deeper.
	lo, hi := 1, 1<<20
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if unmarshalErr(nested(mid)) == nil {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	t.add("GO_MAX_NESTING_DEPTH", strconv.Itoa(lo))
	t.addErr(fmt.Sprintf("invalidCharacter(%s, scan.exceededMaxDepth)", hex('[')), unmarshalErr(nested(lo+1)))

	t.addErr("unexpectedEndOfInput", unmarshalErr(""))
	t.addErr("unexpectedEndOfInput#cut", unmarshalErr(`{"a":`))

	for _, f := range []float64{math.Inf(1), math.Inf(-1), math.NaN()} {
		_, err := json.Marshal(f)
		t.addErr(fmt.Sprintf("unsupportedValue(%q)", strconv.FormatFloat(f, 'g', -1, 64)), err)
	}
	_, err := json.Marshal(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	t.addErr("timeYearOutOfRange", err)
	_, err = json.Marshal(time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC))
	t.addErr("timeYearOutOfRange#-1", err)
}
