// policyvectors computes flux's tag-policy behaviour with the real Go packages (flux v1.25.4
// pkg/policy, pkg/image, pkg/update, pkg/api/v6; Masterminds semver v3.1.1; go-glob v1.0.0) and
// writes it as JSON vectors for the TypeScript port (src/flux/policy/vectors.test.ts).
//
// Usage: policyvectors [-o path]   (default: ../vectors/policy/go-vectors.json, run from test/interop/go)
//
// Output shape (all lists in a fixed order; "bits" strings hold one '0'/'1' per element of the
// axis they are computed over):
//
//	tags            the tag axis of the pattern matrix
//	patterns        NewPattern(p): String, Valid, RequiresTimestamp, Matches and matchWithLatest
//	                bits over tags
//	globs           glob.Glob bits: globSubjects axis, one row per glob pattern
//	versions        semver.NewVersion: parts or error text
//	versionOrder    Compare of every pair of valid versions: rows of '<', '=', '>'
//	constraints     semver.NewConstraint: validity, error text, Check bits over versionOrder.versions
//	imageSets       images (tag, ref text, creation instant in ns or null for the zero time);
//	                NewerByCreated / NewerBySemver bits for every pair; image.Sort orders; for
//	                several patterns FilterImages, SortImages, filter-then-sort (as indices)
//	repositories    FilterAndSortRepositoryMetadata results (indices) or error text
//	tagPatterns     GetTagPattern(policies, container).String()
//	containers      v6.NewContainer for sources (sorting repo, already sorted, none), currents,
//	                patterns and field lists: fields (images as indices), error text, or panic
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/big"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	v6 "github.com/fluxcd/flux/pkg/api/v6"
	"github.com/fluxcd/flux/pkg/image"
	"github.com/fluxcd/flux/pkg/policy"
	"github.com/fluxcd/flux/pkg/update"
	"github.com/ryanuber/go-glob"

	"fluxrpc/interop/internal/peerkit"
)

func bits(n int, f func(i int) bool) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if f(i) {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

// ---- tags and patterns ----

var tags = []string{
	"", "latest", "LATEST", "Latest", "lateſt", "latest ", "latest-1", "notlatest",
	"1", "1.2", "1.2.3", "v1", "v1.2", "v1.2.3", "V1.2.3", "vv1.2.3", "v", "1.2.3.4", " 1.2.3", "1.2.3 ", "1.2.3\n", "\t1.2.3",
	"01.2.3", "1.02.3", "1.2.03", "0.0.0", "0.0.1", "0.0.3", "0.0.4", "0.1.0", "0.2.5", "0.3.0", "1.0.0", "1.0", "1.2.4",
	"1.3.0", "1.4.5", "1.5.0", "1.10", "1.10.0", "v1.10", "2", "2.0.0", "2.0.1", "3.1.0", "10.0.0", "1.2.3-rc.1", "1.2.3-rc1",
	"1.2.3-alpha", "1.2.3-alpha.1", "1.2.3-alpha.beta", "1.2.3-beta.2", "1.2.3-beta.11", "1.2.3-0", "1.2.3-01", "1.2.3-x.01",
	"1.2.3-1", "1.2.3-10", "1.2.3-1a", "1.2.3--1", "1.2.3-a-b", "1.2.3-", "1.2.3--", "1.2.3-SNAPSHOT", "1.2.4-rc1",
	"2.0.0-rc1", "2.0.1-alpha.1", "1.0.0-0", "1.2.3+build", "1.2.3+build.1", "1.2.3-rc.1+build.5", "1.2.3+meta_x",
	"1.2.3+", "1.2.3+.x", "1-2", "1.2-3", "1.2.3-99999999999999999999", "18446744073709551615.0.0",
	"18446744073709551616.0.0", "1.18446744073709551616", "x", "*", "1.x", "1.2.x", "master", "master-abc1234",
	"master-", "main-1234", "sha-deadbeef", "release-1.2.3", "2020-01-01", "20200101", "abc", "a", "aa", "aaa", "ab",
	"abcb", "abc.def", "foo-bar", "a*b", "a?c", "[abc]", "日本", "ñ1.2.3", "1.2.3日本", "😀", "x😀y", "(?<x>a)",
	"b", "s", "K", "\u212a", "<", "(?P<n>b", "\uE000", "\U0001F600\uE000",
}

var patterns = []string{
	// glob, implicit and explicit
	"", "*", "**", "***", "latest", "glob:latest", "glob:*", "glob:", "glob:glob:*", "glob:glob:latest", "Glob:*", "LATEST",
	"Latest", "latest*", "*latest", "*latest*", "1.*", "*.*.*", "*.*", "v*", "*-rc*", "*rc*", "a*a", "*b*b", "a*b",
	"a?c", "[abc]", "master-*", "*-*", "1.2.3", "*1.2.3", "1.2.3*", "*.3", "Semver:1.x", "SEMVER:*", "semver", "regexp",
	"Regexp:^v", "REGEX:.*", " semver:*", "日*", "*😀*", "x*y", "a*", "*a", "*a*", "a**a",
	// semver
	"semver:*", "semver:", "semver: ", "semver:latest", "semver:~1.2.3", "semver:~1.2", "semver:1.2.x", "semver:~1",
	"semver:^1.2.3", "semver:^0.2.3", "semver:^0.0.3", "semver:^0", "semver:^0.0", "semver:^0.2", "semver:>1.x",
	"semver:>=1.2, <2", "semver:>= 1.2 < 2", "semver:1.2 - 1.4.5", "semver:!=1.2.x", "semver:=1.2.3", "semver:v1.2.3",
	"semver:>=1.0.0-0", "semver:<=1.2", "semver:1.x || >=3", "semver:>=1.2,<2,!=1.5.0", "semver:!!!", "semver:^*",
	"semver:~*", "semver:<=*", "semver:>*", "semver:<*", "semver:!=*", "semver:x", "semver:X.x.*", "semver:1.2.3-rc.1",
	"semver:>=1.2.3-rc.1", "semver:~1.2.3-beta", "semver:^1.2.3-beta", "semver:!=1.2.3", "semver:1|2", "semver:=>1.2",
	"semver:=<1.2", "semver:~>1.2", "semver: 1.2.3 ", "semver:\t>=1.2", "semver:\v>=1.2", "semver:>=1.2 ||",
	"semver:|| 1", "semver:1.2.3 - 2.3.4 || >=5", "semver:1 - 2 - 3", "semver:>= 1 - 2", "semver:1.2.3 -2",
	"semver:~0", "semver:~0.0.0", "semver:>1", "semver:>1.2", "semver:<1.x", "semver:<=1.x", "semver:2.x", "semver:1",
	"semver:v1", "semver:V1", "semver:1.2.3.4", "semver:>=01.02.03", "semver:2.0.1-alpha.1", "semver:!=1.2.3-rc.1",
	"semver:!=1.2.x-rc", "semver:1.2.x-rc", "semver:>=18446744073709551616", "semver:semver:*", "semver:^1.x",
	"semver:~1.x", "semver:>1.2.x", "semver:*-rc", "semver:1.x.3", "semver:>=1, <=1.2.3", "semver:1.2.3,2.0.0",
	"semver:1.2.3 2.0.0", "semver:>=1.2 , <2", "semver:>=1.2,,<2", "semver:>=1.2 <2 || <1", "semver:1.2.3+build",
	// regexp
	"regexp:^v", "regex:^v", "regexp:", "regex:", "regexp:.*", "regexp:^1\\.", "regexp:^[0-9]+\\.[0-9]+\\.[0-9]+$",
	"regexp:(?P<x>a)", "regexp:(?=a)", "regexp:(?<=a)b", "regexp:(?<!a)b", "regexp:(a)\\1", "regexp:[", "regexp:(",
	"regexp:)", "regexp:*", "regexp:a**", "regexp:a++", "regexp:a{1000}", "regexp:a{1001}", "regexp:x{2,1}",
	"regexp:\\Qa.b\\E", "regexp:\\Q(?<\\E", "regexp:[(?<]", "regexp:(?i)LATEST", "regexp:latest", "regexp:^$",
	"regexp:\\d+", "regexp:\\pL", "regexp:\\p{Greek}", "regexp:\\PL", "regexp:[[:alpha:]]+", "regexp:[[:foo:]]",
	"regexp:\\C", "regexp:(?U)a+", "regexp:\\z", "regexp:\\Z", "regexp:(?m)^1", "regexp:[^a-z]", "regexp:\\b1\\b",
	"regexp:日本", "regexp:\\x{65e5}", "regexp:\\\\", "regexp:\\8", "regexp:^[a-z]+$", "regexp:rc", "regexp:-",
	"regexp:^master-[0-9a-f]{7}$", "regexp:\\.", "regexp:.", "regexp:(?s).", "regexp:\\A1", "regexp:1$",
	"regexp:(?i)^V", "regexp:[[:^digit:]]", "regexp:\\W", "regexp:😀", "regexp:.😀.", "regexp:x.y", "regexp:(?P<n>",
	"regexp:(?P<>a)", "regexp:(?P<n>a)(?P<n>b)", "regexp:a|", "regexp:|", "regexp:()", "regexp:[]a]", "regexp:[a-]",
	"regexp:[z-a]", "regexp:\\", "regexp:a{,2}", "regexp:a{2,}", "regexp:(?i)ſ", "regexp:(?i)k",
	"regexp:semver:*", "regex:regexp:x", "regexp:(?P<n>a)|(?P<n>b)", "regexp:[(?<](?P<n>a)(?P<n>b)",
	"regexp:[(?P<n>](?P<n>a)(?P<n>b)", "regexp:[[:alpha:](?P<n>](?P<n>b)", "regexp:\\Q(?P<n>\\E(?P<n>b)",
	"regexp:(?P<n>a)(?P<n->b)", "regexp:(?P<n>a)(?P<n>b", "regexp:[]](?P<n>a)(?P<n>b)", "regexp:[^]a](?P<n>b)(?P<n>c)",
	"regexp:(?i)\u212a", "regexp:\\x{E000}", "regexp:[\\x{E000}-\\x{10FFFF}]", "regexp:^.$",
	// Go 1.22 added (?<name>…); flux as built (Go 1.17) rejects it. See vectors.test.ts.
	"regexp:(?<x>a)", "regex:(?<x>a)", "regexp:(?<x>\\d)\\.", "regexp:[(?<](?<n>1)",
}

type patternVector struct {
	Pattern           string `json:"pattern"`
	String            string `json:"string"`
	Valid             bool   `json:"valid"`
	RequiresTimestamp bool   `json:"requiresTimestamp"`
	Matches           string `json:"matches"`
	MatchWithLatest   string `json:"matchWithLatest"`
}

// matchWithLatest is update.matchWithLatest (unexported), observed through update.FilterImages.
func matchWithLatest(p policy.Pattern, tag string) bool {
	return len(update.FilterImages([]image.Info{{ID: image.Ref{Tag: tag}}}, p)) == 1
}

func patternVectors() []patternVector {
	var out []patternVector
	for _, s := range patterns {
		p := policy.NewPattern(s)
		out = append(out, patternVector{
			Pattern:           s,
			String:            p.String(),
			Valid:             p.Valid(),
			RequiresTimestamp: p.RequiresTimestamp(),
			Matches:           bits(len(tags), func(i int) bool { return p.Matches(tags[i]) }),
			MatchWithLatest:   bits(len(tags), func(i int) bool { return matchWithLatest(p, tags[i]) }),
		})
	}
	return out
}

// ---- globs ----

var globPatterns = []string{
	"", "*", "**", "a", "a*", "*a", "*a*", "a*a", "a*b*c", "*b*b", "a?c", "[ab]*", "*.*", "ab*ab", "ab*ba", "*ab*ab*",
	"a**b", "*x", "x*", "aa*aa", "a*a*a", "日*本", "*😀", "?", "\\*", "*\\", "a*-*z", "**a**",
}

var globSubjects = []string{
	"", "a", "aa", "aaa", "aaaa", "ab", "abc", "abcb", "abab", "aba", "ababab", "abba", "a?c", "[ab]x", "x.y", ".", "ab.ab",
	"b", "ba", "x", "xx", "日本", "日x本", "😀", "x😀", "?", "*", "\\", "\\x", "a-b-z", "a-z", "axbxc", "acb",
}

type globVector struct {
	Pattern string `json:"pattern"`
	Matches string `json:"matches"`
}

func globVectors() []globVector {
	var out []globVector
	for _, p := range globPatterns {
		out = append(out, globVector{p, bits(len(globSubjects), func(i int) bool { return glob.Glob(p, globSubjects[i]) })})
	}
	return out
}

// ---- versions and constraints ----

var extraVersions = []string{
	"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",
	"1.0.0-rc.1.2", "1.0.0-rc.1.a", "1.0.0-RC.1", "1.0.0-rc.01", "1.0.0-18446744073709551615", "1.0.0-18446744073709551616",
	"1.0.0-Z", "1.0.0-a", "1.0.0-A", "1.0.0--", "1.0.0-0-", "1.0.0+b1", "1.0.0+b2", "v1.0.0+b1", "1.0.0-rc.1+b1",
	"0001.0002.0003", "1.2.3-0.0", "1.2.3-0a", "1.2.3-00a", "99999999999999999999", "1.0.0-x.7.z.92", "1.0.0-x-y-z.--",
	"1.0.0+0.build.1-rc.10000aaa-kk-0.1", "1.2", "1.2.0", "v1.2.0", "1.2-rc1", "1-rc1", "1.0.0-alpha+001",
}

type versionVector struct {
	Text       string `json:"text"`
	Error      string `json:"error,omitempty"`
	Major      string `json:"major,omitempty"`
	Minor      string `json:"minor,omitempty"`
	Patch      string `json:"patch,omitempty"`
	Prerelease string `json:"prerelease,omitempty"`
	Metadata   string `json:"metadata,omitempty"`
	String     string `json:"string,omitempty"`
}

type versionOrder struct {
	Versions []string `json:"versions"`
	Rows     []string `json:"rows"`
}

func versionVectors() ([]versionVector, versionOrder) {
	seen := map[string]bool{}
	var out []versionVector
	var order versionOrder
	var parsed []*semver.Version
	for _, list := range [][]string{tags, extraVersions} {
		for _, s := range list {
			if seen[s] {
				continue
			}
			seen[s] = true
			v, err := semver.NewVersion(s)
			if err != nil {
				out = append(out, versionVector{Text: s, Error: err.Error()})
				continue
			}
			out = append(out, versionVector{
				Text: s, Major: fmt.Sprint(v.Major()), Minor: fmt.Sprint(v.Minor()), Patch: fmt.Sprint(v.Patch()),
				Prerelease: v.Prerelease(), Metadata: v.Metadata(), String: v.String(),
			})
			order.Versions = append(order.Versions, s)
			parsed = append(parsed, v)
		}
	}
	for _, a := range parsed {
		var row strings.Builder
		for _, b := range parsed {
			row.WriteByte("<=>"[a.Compare(b)+1])
		}
		order.Rows = append(order.Rows, row.String())
	}
	return out, order
}

var extraConstraints = []string{
	"", " ", ",", "||", "1 ||", "1||2", "1 || 2", "1|| ||2", "1.2.3 - ", "- 1.2.3", "1.2.3 -  2.3.4", "1.2.3\t-\t2",
	"1.2.3\v-\v2", ">=1.2.3\n<2", ">=1.2.3\r\n", "\f1.2", "1.2 - 1.2 || 1.2 - 1.2", ">= 1.2 - 1.4", "1.0 - 2.0 - 3.0",
	"~1.2.3 || ^2.0.0", "=1.2.x", "=1.x", "=*", "!=1", "!=1.2", "!=1.2.3-rc.1", "!=1.2.x-rc.1", "!=1.x-rc", ">1.2.3-0",
	"<1.2.3-rc.2", "<=1.2.3-rc.2", ">=1.2.3-beta.2", "~1.2.3-0", "^1.2.3-0", "^0.0.3-0", "~0.0.0-0", ">=0.0.0-0",
	"<=1.2.x", "<=1", "<=1.x.x", ">1.2.3", ">=1.2.3", "<1.2.3", "~>1", "~> 1.2", "> 1", ">=v1.2", "=v1", "v1.x", "V1.2",
	"1.2.3-", "1.2.3+", "1.2.3+b", "1.2.3+b ||", "x.1.2", "*.*.*", "1.*.*", "1.2.*", "1.*.3", "1.2.x3", "1.x3",
	"x1", "**", "1|2", "|", "1.|", "1.2|", "|1", "=|", "> =1", ">=1,", ",>=1", ">=1,,", ">=1 , , <2", "1.2.3.4",
	"1.2.34", "1 2 3", "123", "00.01.02", "18446744073709551615.0.0", "18446744073709551616", ">=1.2.3-rc.01",
	"^0.0", "^0.0.x", "^0.x", "^0.2", "^1", "^1.2", "^1.2.x", "^x", "~0.1", "~0.x", "~1.2.x", "~x.x.x", "~2.x.x",
	"<1.0.0-0", "<1", "<=0", ">0", ">0.0", ">0.0.0", "!=0.0.0", "=0", "0", "0.0", "0.0.0", "ánything", "1.2.3 ñ",
	"1.2 <2", ">1 <1", "=1.2.3-rc.1+b", "!=1.2.3+b", "~v1.2.3", "^v1", "1.2.3 - 2.3.4-rc.1", "1.2.3-rc.1 - 2.3.4",
	">=1.2.3 || <=1.0.0", "1.x || 2.x || 3.x", "~>1.2.3", "=>1", "=<1", "==1", "!==1", ">==1", "<>1", "~^1", "^~1",
}

type constraintVector struct {
	Constraint string `json:"constraint"`
	Error      string `json:"error,omitempty"`
	Check      string `json:"check,omitempty"`
}

func constraintVectors(versions []string) []constraintVector {
	var parsed []*semver.Version
	for _, s := range versions {
		parsed = append(parsed, semver.MustParse(s))
	}
	seen := map[string]bool{}
	var out []constraintVector
	var texts []string
	for _, p := range patterns {
		if strings.HasPrefix(p, "semver:") {
			texts = append(texts, strings.TrimPrefix(p, "semver:"))
		}
	}
	for _, c := range append(texts, extraConstraints...) {
		if seen[c] {
			continue
		}
		seen[c] = true
		cs, err := semver.NewConstraint(c)
		if err != nil {
			out = append(out, constraintVector{Constraint: c, Error: err.Error()})
			continue
		}
		out = append(out, constraintVector{Constraint: c, Check: bits(len(parsed), func(i int) bool { return cs.Check(parsed[i]) })})
	}
	return out
}

// ---- image sets ----

type imageJSON struct {
	Tag       string  `json:"tag"`
	Ref       string  `json:"ref"`
	CreatedNs *string `json:"createdNs"`
}

func toJSON(info image.Info) imageJSON {
	out := imageJSON{Tag: info.ID.Tag, Ref: info.ID.String()}
	if !info.CreatedAt.IsZero() {
		ns := new(big.Int).Mul(big.NewInt(info.CreatedAt.Unix()), big.NewInt(1e9))
		ns.Add(ns, big.NewInt(int64(info.CreatedAt.Nanosecond())))
		s := ns.String()
		out.CreatedNs = &s
	}
	return out
}

// img builds an Info from "ref@time": ref through image.ParseRef, or "tagonly:<tag>" for the
// daemon's stand-in for a tag without metadata (a Ref with only a tag); time RFC 3339, or empty
// for the zero time.
func img(desc string) image.Info {
	at := strings.LastIndex(desc, "@")
	refText, when := desc[:at], desc[at+1:]
	var info image.Info
	if strings.HasPrefix(refText, "tagonly:") {
		info.ID = image.Ref{Tag: strings.TrimPrefix(refText, "tagonly:")}
	} else {
		ref, err := image.ParseRef(refText)
		if err != nil {
			panic(fmt.Sprintf("%s: %v", desc, err))
		}
		info.ID = ref
	}
	if when != "" {
		t, err := time.Parse(time.RFC3339Nano, when)
		if err != nil {
			panic(err)
		}
		info.CreatedAt = t
	}
	return info
}

type namedSet struct {
	name   string
	images []image.Info
}

const hw = "quay.io/weaveworks/helloworld:"

func fixedSets() []namedSet {
	mk := func(name string, descs ...string) namedSet {
		s := namedSet{name: name}
		for _, d := range descs {
			s.images = append(s.images, img(d))
		}
		return s
	}
	return []namedSet{
		mk("types16",
			hw+"1.0.0@2019-01-01T00:00:00Z", hw+"1.10.0@2019-01-03T00:00:00Z", hw+"1.2.0@2019-01-02T00:00:00Z",
			hw+"latest@2019-01-05T00:00:00Z", hw+"master-abc@", hw+"v1.10@2019-01-03T00:00:00Z",
			hw+"1.10.0-rc1@2019-01-04T00:00:00Z", hw+"zzz@", hw+"aaa@"),
		mk("ties",
			"alpine:3.5@2019-01-01T00:00:00.000000001Z", "alpine:3.6@2019-01-01T00:00:00Z",
			"alpine:3.7@2019-01-01T01:00:00+01:00", "alpine:3.4@2019-01-01T00:00:00Z", "library/alpine:3.3@2019-01-01T00:00:00Z",
			"docker.io/library/alpine:3.2@1969-12-31T23:59:59.999999999Z", "alpine:3.1@1970-01-01T00:00:00Z",
			"alpine:old@0001-01-01T00:00:00.000000001Z", "alpine:zero@", "alpine:Zero@", "alpine:3.10@9999-12-31T23:59:59.999999999Z",
			"alpine@sha256:aaa@2019-01-01T00:00:00Z", "alpine:3.8@sha256:bbb@2019-01-01T00:00:00Z",
			"tagonly:3.9@2019-01-01T00:00:00Z", "tagonly:edge@", "localhost:5000/a/b:3.5@2019-01-01T00:00:00Z",
			"alpine:日本@2019-01-01T00:00:00Z", "alpine:\uE000@2019-01-01T00:00:00Z", "alpine:😀@2019-01-01T00:00:00Z",
			"alpine:1.2.3-rc.1@2019-01-01T00:00:00Z"),
		mk("semver",
			hw+"v1.10@2020-01-01T00:00:00Z", hw+"1.10@2020-01-01T00:00:00Z", hw+"1.10.0@2020-01-01T00:00:00Z",
			hw+"1.10.0+b1@2020-01-02T00:00:00Z", hw+"01.10.0@2020-01-03T00:00:00Z", hw+"1.10.0-rc.1@", hw+"1.10.0-rc.2@",
			hw+"1.10.0-rc.10@", hw+"1.10.0-beta@", hw+"1.10.0-alpha.beta@", hw+"1.10.0-alpha.1@", hw+"1.10.0-alpha@",
			hw+"1.10.0-99999999999999999999@", hw+"1.10.0-rc1@", hw+"1.9.9@2021-01-01T00:00:00Z", hw+"2@",
			hw+"latest@2022-01-01T00:00:00Z", hw+"LATEST@", hw+"lateſt@", hw+"master-1234@2021-06-01T00:00:00Z",
			hw+"1.2.3-01@", hw+"V1.2.3@", hw+"18446744073709551616.0.0@", hw+"18446744073709551615.0.0@",
			"other/helloworld:1.10.0@2020-01-01T00:00:00Z", "tagonly:1.10.0@", "tagonly:zzz@",
			hw+"0.0.0@", "helloworld@sha256:1@", "helloworld:3.0.0@sha256:2@", "helloworld:4.0.0@sha256:0@"),
	}
}

var setTimes = []string{
	"", "", "2019-01-01T00:00:00Z", "2019-01-01T00:00:00Z", "2019-01-01T00:00:00.5Z", "2019-01-01T00:00:00.500000001Z",
	"2019-01-02T00:00:00Z", "2018-12-31T23:59:59Z", "2020-02-29T12:00:00+02:00", "2020-02-29T10:00:00Z",
}

var setNames = []string{"alpine", "quay.io/weaveworks/helloworld", "localhost:5000/x/y", "fluxcd/flux", "tagonly:"}

func randomSets(r *rand.Rand, n int) []namedSet {
	var out []namedSet
	for k := 0; k < n; k++ {
		size := 2 + r.Intn(24)
		s := namedSet{name: fmt.Sprintf("random%d", k)}
		seen := map[string]bool{}
		for len(s.images) < size {
			tag := tags[r.Intn(len(tags))]
			if tag == "" || strings.ContainsAny(tag, " \t\n@/:") {
				continue
			}
			name := setNames[r.Intn(len(setNames))]
			ref := name + ":" + tag
			if name == "tagonly:" {
				ref = name + tag
			} else if r.Intn(8) == 0 {
				ref = fmt.Sprintf("%s@sha256:%x", ref, r.Int63())
			}
			if seen[ref] {
				continue
			}
			seen[ref] = true
			info := img(ref + "@" + setTimes[r.Intn(len(setTimes))])
			if seen["text:"+info.ID.String()] {
				continue
			}
			seen["text:"+info.ID.String()] = true
			s.images = append(s.images, info)
		}
		out = append(out, s)
	}
	return out
}

var setPatterns = []string{
	"*", "latest", "glob:latest", "", "1.*", "v*", "*rc*", "*a*", "semver:*", "semver:~1", "semver:!!!", "semver:>=1.0.0-0",
	"semver:^1", "semver:<2", "semver:~1.10", "semver:>=1.10.0-alpha", "regexp:^v", "regexp:[", "regexp:(?i)latest",
	"regexp:^[0-9.]+$", "regexp:rc",
}

type patternResult struct {
	Pattern       string `json:"pattern"`
	Filtered      []int  `json:"filtered"`
	Sorted        []int  `json:"sorted"`
	FilterAndSort []int  `json:"filterAndSort"`
}

type setVector struct {
	Name           string          `json:"name"`
	Images         []imageJSON     `json:"images"`
	NewerByCreated []string        `json:"newerByCreated"`
	NewerBySemver  []string        `json:"newerBySemver"`
	SortByCreated  []int           `json:"sortByCreated"`
	SortBySemver   []int           `json:"sortBySemver"`
	Patterns       []patternResult `json:"patterns"`
}

func indices(set []image.Info, list []image.Info) []int {
	out := []int{}
	for _, x := range list {
		found := -1
		for i, y := range set {
			if x.ID.String() == y.ID.String() && x.ID.Tag == y.ID.Tag && x.CreatedAt.Equal(y.CreatedAt) {
				found = i
				break
			}
		}
		if found < 0 {
			panic("image not in set: " + x.ID.String())
		}
		out = append(out, found)
	}
	return out
}

func clone(infos []image.Info) []image.Info {
	return append([]image.Info(nil), infos...)
}

func setVectors(sets []namedSet) []setVector {
	var out []setVector
	for _, s := range sets {
		v := setVector{Name: s.name}
		refs := map[string]bool{}
		for _, info := range s.images {
			if refs[info.ID.String()] || info == (image.Info{}) {
				panic("set " + s.name + ": duplicate or zero image " + info.ID.String())
			}
			refs[info.ID.String()] = true
			v.Images = append(v.Images, toJSON(info))
		}
		for i := range s.images {
			v.NewerByCreated = append(v.NewerByCreated, bits(len(s.images), func(j int) bool { return image.NewerByCreated(&s.images[i], &s.images[j]) }))
			v.NewerBySemver = append(v.NewerBySemver, bits(len(s.images), func(j int) bool { return image.NewerBySemver(&s.images[i], &s.images[j]) }))
		}
		byCreated := clone(s.images)
		image.Sort(byCreated, image.NewerByCreated)
		v.SortByCreated = indices(s.images, byCreated)
		bySemver := clone(s.images)
		image.Sort(bySemver, image.NewerBySemver)
		v.SortBySemver = indices(s.images, bySemver)
		for _, ps := range setPatterns {
			p := policy.NewPattern(ps)
			filtered := update.FilterImages(clone(s.images), p)
			v.Patterns = append(v.Patterns, patternResult{
				Pattern:       ps,
				Filtered:      indices(s.images, filtered),
				Sorted:        indices(s.images, update.SortImages(clone(s.images), p)),
				FilterAndSort: indices(s.images, update.SortImages(filtered, p)),
			})
		}
		out = append(out, v)
	}
	return out
}

// ---- repository metadata ----

type repositoryVector struct {
	Set     string   `json:"set"`
	Tags    []string `json:"tags"`
	Known   []int    `json:"known"` // image index for each tag, -1 when its metadata is missing
	Pattern string   `json:"pattern"`
	Result  []int    `json:"result,omitempty"`
	Error   string   `json:"error,omitempty"`
}

func repositoryVectors(set namedSet) []repositoryVector {
	missing := []string{"missing", "quote\"d", "back\\slash", "tab\there", "bell\a", "del\x7f", "nbsp\u00a0x", "ünï", "😀x",
		"\u2028", "\U000E0001", "zero\u200bwidth", "esc\x1b"}
	var out []repositoryVector
	for _, extra := range missing {
		for _, ps := range []string{"*", "semver:*", "glob:" + extra, "regexp:^[a-z]", "latest"} {
			v := repositoryVector{Set: set.name, Pattern: ps}
			rm := image.RepositoryMetadata{Images: map[string]image.Info{}}
			for i, info := range set.images {
				rm.Tags = append(rm.Tags, info.ID.Tag)
				rm.Images[info.ID.Tag] = info
				v.Known = append(v.Known, i)
			}
			rm.Tags = append(rm.Tags, extra)
			v.Known = append(v.Known, -1)
			v.Tags = rm.Tags
			res, err := update.FilterAndSortRepositoryMetadata(rm, policy.NewPattern(ps))
			if err != nil {
				v.Error = err.Error()
			} else {
				v.Result = indices(set.images, res)
			}
			out = append(out, v)
		}
	}
	return out
}

// ---- tag patterns ----

type tagPatternVector struct {
	Policies  map[string]string `json:"policies"`
	Container string            `json:"container"`
	Pattern   string            `json:"pattern"`
}

func tagPatternVectors() []tagPatternVector {
	sets := []policy.Set{
		nil, {}, {"tag.app": "semver:~1"}, {"tag.app": ""}, {"tag_all": "semver:*"}, {"tag.app": "regex:^v"},
		{"tag.other": "x", "automated": "true"}, {"tag.": "semver:*"}, {"tag.constructor": "glob:c*"},
		{"tag.__proto__": "regexp:p"}, {"tag.APP": "semver:1"}, {"tag.app ": "glob:sp"}, {"tag.app": "glob:glob:x"},
	}
	var out []tagPatternVector
	for _, s := range sets {
		for _, c := range []string{"app", "other", "", "constructor", "__proto__", "APP", "hasOwnProperty"} {
			var m map[string]string
			if s != nil {
				m = s.ToStringMap()
			}
			out = append(out, tagPatternVector{m, c, policy.GetTagPattern(s, c).String()})
		}
	}
	return out
}

// ---- containers ----

type alreadySorted []image.Info

func (a alreadySorted) Images() []image.Info { return a }
func (a alreadySorted) SortedImages(policy.Pattern) update.SortedImageInfos {
	return update.SortedImageInfos(a)
}

// repo sorts on demand, as the daemon's image repository (pkg/daemon sortedImageRepo) does.
type repo []image.Info

func (r repo) Images() []image.Info { return r }
func (r repo) SortedImages(p policy.Pattern) update.SortedImageInfos {
	return update.SortImages(r, p)
}

// containerResult holds the fields of a v6.Container; zero values are omitted.
type containerResult struct {
	Name                    string     `json:"name,omitempty"`
	Current                 *imageJSON `json:"current,omitempty"`        // absent: zero Info
	LatestFiltered          *int       `json:"latestFiltered,omitempty"` // image index; absent: zero Info
	Available               []int      `json:"available,omitempty"`
	AvailableError          string     `json:"availableError,omitempty"`
	AvailableImagesCount    int        `json:"availableImagesCount,omitempty"`
	NewAvailableImagesCount int        `json:"newAvailableImagesCount,omitempty"`
	FilteredImagesCount     int        `json:"filteredImagesCount,omitempty"`
	NewFilteredImagesCount  int        `json:"newFilteredImagesCount,omitempty"`
}

type containerVector struct {
	Set     string           `json:"set"`
	Source  string           `json:"source"`  // "repo", "sorted" (already sorted, set order), "reversed" (already sorted, reverse order), "none"
	Current int              `json:"current"` // index into the set's images; -1: zero Info; -2: outsideCurrent
	Pattern string           `json:"pattern"`
	Fields  []string         `json:"fields"`
	Result  *containerResult `json:"result,omitempty"`
	Error   string           `json:"error,omitempty"`
	Partial *containerResult `json:"partial,omitempty"`
	Panic   bool             `json:"panic,omitempty"`
}

var fieldLists = [][]string{
	nil, {}, {"LatestFiltered"}, {"LatestFiltered", "Available"}, {"Name", "LatestFiltered", "NewFilteredImagesCount", "FilteredImagesCount"},
	{"NewAvailableImagesCount", "LatestFiltered", "NewFilteredImagesCount"}, {"FilteredImagesCount"}, {"NewFilteredImagesCount"},
	{"Bogus"}, {"Name", "Current", "LatestFiltered", "Bogus", "Available"}, {"name"}, {"AvailableError"},
	{"Name", "Current", "AvailableError"}, {"Available", "Available", "LatestFiltered", "LatestFiltered"},
	{"AvailableImagesCount", "FilteredImagesCount"}, {"Current", "NewAvailableImagesCount"},
}

func result(set []image.Info, c v6.Container) *containerResult {
	r := &containerResult{
		Name: c.Name, AvailableError: c.AvailableError, AvailableImagesCount: c.AvailableImagesCount,
		NewAvailableImagesCount: c.NewAvailableImagesCount, FilteredImagesCount: c.FilteredImagesCount,
		NewFilteredImagesCount: c.NewFilteredImagesCount, Available: indices(set, c.Available),
	}
	if c.Current != (image.Info{}) {
		cur := toJSON(c.Current)
		r.Current = &cur
	}
	if c.LatestFiltered != (image.Info{}) {
		r.LatestFiltered = &indices(set, []image.Info{c.LatestFiltered})[0]
	}
	return r
}

func newContainer(set []image.Info, source string, current image.Info, p policy.Pattern, fields []string) (v containerVector) {
	defer func() {
		if recover() != nil {
			v.Panic = true
		}
	}()
	var c v6.Container
	var err error
	switch source {
	case "repo":
		c, err = v6.NewContainer("app", repo(clone(set)), current, p, fields)
	case "sorted":
		c, err = v6.NewContainer("app", alreadySorted(clone(set)), current, p, fields)
	case "reversed":
		rev := clone(set)
		for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
			rev[i], rev[j] = rev[j], rev[i]
		}
		c, err = v6.NewContainer("app", alreadySorted(rev), current, p, fields)
	case "none":
		c, err = v6.NewContainer("app", nil, current, p, fields)
	}
	if err != nil {
		v.Error = err.Error()
		v.Partial = result(set, c)
	} else {
		v.Result = result(set, c)
	}
	return v
}

// outsideCurrent is a current image that is in none of the sets.
var outsideCurrent = img("quay.io/weaveworks/helloworld:1.5.0@2019-01-02T12:00:00Z")

func containerVectors(sets []namedSet, r *rand.Rand) []containerVector {
	var out []containerVector
	patterns := []string{"*", "semver:~1", "semver:*", "latest", "regexp:^1", "semver:!!!", "1.*", "*rc*"}
	for si, s := range sets {
		currents := []int{-1, -2, len(s.images) / 2, 0}
		for _, src := range []string{"repo", "sorted", "reversed", "none"} {
			for _, cur := range currents {
				for _, ps := range patterns {
					for _, fields := range fieldLists {
						// The first set gets every combination; the others a random tenth.
						if si > 0 && r.Intn(10) != 0 {
							continue
						}
						current := image.Info{}
						switch {
						case cur == -2:
							current = outsideCurrent
						case cur >= 0:
							current = s.images[cur]
						}
						v := newContainer(s.images, src, current, policy.NewPattern(ps), fields)
						v.Set, v.Source, v.Current, v.Pattern, v.Fields = s.name, src, cur, ps, fields
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}

// ---- main ----

type vectors struct {
	About          string             `json:"about"`
	GoVersion      string             `json:"goVersion"`
	Tags           []string           `json:"tags"`
	Patterns       []patternVector    `json:"patterns"`
	GlobSubjects   []string           `json:"globSubjects"`
	Globs          []globVector       `json:"globs"`
	Versions       []versionVector    `json:"versions"`
	VersionOrder   versionOrder       `json:"versionOrder"`
	Constraints    []constraintVector `json:"constraints"`
	ImageSets      []setVector        `json:"imageSets"`
	Repositories   []repositoryVector `json:"repositories"`
	TagPatterns    []tagPatternVector `json:"tagPatterns"`
	OutsideCurrent imageJSON          `json:"outsideCurrent"`
	Containers     []containerVector  `json:"containers"`
}

// writeLines writes v as a JSON object with one line per key, and one line per element for keys
// holding lists of objects, so that diffs of regenerated vectors stay readable.
func writeLines(w io.Writer, v interface{}) error {
	compact := func(x interface{}) (string, error) {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		err := enc.Encode(x)
		return strings.TrimSuffix(b.String(), "\n"), err
	}
	whole, err := compact(v)
	if err != nil {
		return err
	}
	var fields []json.RawMessage
	var keys []string
	dec := json.NewDecoder(strings.NewReader(whole))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		keys = append(keys, k.(string))
		fields = append(fields, raw)
	}
	var b strings.Builder
	b.WriteString("{\n")
	for i, k := range keys {
		key, _ := compact(k)
		b.WriteString(key + ": ")
		var elems []json.RawMessage
		if json.Unmarshal(fields[i], &elems) == nil && len(elems) > 0 && elems[0][0] == '{' {
			b.WriteString("[\n")
			for j, e := range elems {
				line, err := compact(e)
				if err != nil {
					return err
				}
				b.WriteString("  " + line)
				if j < len(elems)-1 {
					b.WriteString(",")
				}
				b.WriteString("\n")
			}
			b.WriteString("]")
		} else {
			b.WriteString(string(fields[i]))
		}
		if i < len(keys)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	_, err = io.WriteString(w, b.String())
	return err
}

func main() {
	out := flag.String("o", filepath.Join("..", "vectors", "policy", "go-vectors.json"), "output file")
	flag.Parse()

	r := rand.New(rand.NewSource(20190214))
	sets := append(fixedSets(), randomSets(r, 24)...)
	versions, order := versionVectors()
	v := vectors{
		About: "Computed by test/interop/go/cmd/policyvectors with flux v1.25.4, Masterminds semver v3.1.1, " +
			"ryanuber/go-glob v1.0.0. Regenerate: cd test/interop/go && go run ./cmd/policyvectors",
		GoVersion:      runtime.Version(),
		Tags:           tags,
		Patterns:       patternVectors(),
		GlobSubjects:   globSubjects,
		Globs:          globVectors(),
		Versions:       versions,
		VersionOrder:   order,
		Constraints:    constraintVectors(order.Versions),
		ImageSets:      setVectors(sets),
		Repositories:   repositoryVectors(sets[0]),
		TagPatterns:    tagPatternVectors(),
		OutsideCurrent: toJSON(outsideCurrent),
		Containers:     containerVectors(sets[:6], r),
	}
	f, err := os.Create(*out)
	peerkit.ExitOnError(err)
	peerkit.ExitOnError(writeLines(f, v))
	peerkit.ExitOnError(f.Close())
}
