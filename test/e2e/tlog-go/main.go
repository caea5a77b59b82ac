// Command tlog-go is the outside judge of the registry's transparency log: Go's own
// golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog (the reference implementation of the
// tiled log that C2SP tlog-tiles describes) read the log over HTTP, through tiles only.
//
//	tlog-go <registry-url> <verifier-key> <earlier-checkpoint-file>
//
// It opens the latest checkpoint with the verifier key, reads the tree through tlog.TileHashReader
// (which authenticates every tile against the signed root), checks that the tree hash is the root,
// proves the inclusion of every entry of the entry bundles with ProveRecord/CheckRecord, opens the
// earlier checkpoint with the same key and proves the two trees consistent with ProveTree/CheckTree.
// It prints a JSON summary and exits 0, or says what failed and exits 1.
//
// Build without modules (Debian: golang-go, golang-golang-x-mod-dev):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o tlog-go main.go
package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlog-go: "+format+"\n", args...)
	os.Exit(1)
}

func get(url string) []byte {
	res, err := http.Get(url)
	if err != nil {
		fail("GET %s: %v", url, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		fail("GET %s: %v", url, err)
	}
	if res.StatusCode != 200 {
		fail("GET %s: HTTP %d: %s", url, res.StatusCode, body)
	}
	return body
}

// checkpoint opens a C2SP checkpoint note: origin, tree size and root hash, signed by the verifier.
func checkpoint(msg []byte, verifier note.Verifier) (string, tlog.Tree) {
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		fail("checkpoint body has fewer than three lines: %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil {
		fail("checkpoint size %q: %v", lines[1], err)
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		fail("checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	var root tlog.Hash
	copy(root[:], raw)
	return lines[0], tlog.Tree{N: size, Hash: root}
}

// tiles reads C2SP tiles over HTTP, each once (TileHashReader asks again for every proof; a client
// caches, as Go's sumdb client does). Go's Tile.Path() is "tile/8/L/N[.p/W]": C2SP drops the height.
type tiles struct {
	base string
	read map[string][]byte
}

func (t *tiles) Height() int { return 8 }

func (t *tiles) ReadTiles(ts []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(ts))
	for i, tile := range ts {
		path := "tile/" + strings.TrimPrefix(tile.Path(), "tile/8/")
		if t.read[path] == nil {
			t.read[path] = get(t.base + "/log/" + path)
		}
		out[i] = t.read[path]
	}
	return out, nil
}

func (t *tiles) SaveTiles([]tlog.Tile, [][]byte) {}

// entries reads the entry bundles of a tree: each entry prefixed by its length as a big-endian uint16.
func entries(base string, size int64) [][]byte {
	var out [][]byte
	for n := int64(0); n*256 < size; n++ {
		w := size - n*256
		if w > 256 {
			w = 256
		}
		tile := tlog.Tile{H: 8, L: 0, N: n, W: int(w)}
		path := "tile/entries/" + strings.TrimPrefix(tile.Path(), "tile/8/0/")
		data := get(base + "/log/" + path)
		for len(data) > 0 {
			if len(data) < 2 {
				fail("%s: truncated length", path)
			}
			l := int(data[0])<<8 | int(data[1])
			if len(data) < 2+l {
				fail("%s: truncated entry", path)
			}
			out = append(out, data[2:2+l])
			data = data[2+l:]
		}
	}
	if int64(len(out)) != size {
		fail("entry bundles hold %d entries, the tree %d", len(out), size)
	}
	return out
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: tlog-go <registry-url> <verifier-key> <earlier-checkpoint-file>")
	}
	base := strings.TrimRight(os.Args[1], "/")
	verifier, err := note.NewVerifier(os.Args[2])
	if err != nil {
		fail("verifier key: %v", err)
	}
	origin, tree := checkpoint(get(base+"/log/checkpoint"), verifier)
	earlierNote, err := os.ReadFile(os.Args[3])
	if err != nil {
		fail("%v", err)
	}
	earlierOrigin, earlier := checkpoint(earlierNote, verifier)
	if earlierOrigin != origin {
		fail("the earlier checkpoint is of log %q, not %q", earlierOrigin, origin)
	}

	reader := &tiles{base: base, read: map[string][]byte{}}
	hashes := tlog.TileHashReader(tree, reader)
	th, err := tlog.TreeHash(tree.N, hashes)
	if err != nil {
		fail("tree hash from tiles: %v", err)
	}
	if th != tree.Hash {
		fail("the tiles' tree hash %v is not the checkpoint's root %v", th, tree.Hash)
	}

	for n, e := range entries(base, tree.N) {
		p, err := tlog.ProveRecord(tree.N, int64(n), hashes)
		if err != nil {
			fail("ProveRecord(%d, %d): %v", tree.N, n, err)
		}
		if err := tlog.CheckRecord(p, tree.N, tree.Hash, int64(n), tlog.RecordHash(e)); err != nil {
			fail("CheckRecord(%d, %d): %v", tree.N, n, err)
		}
	}

	p, err := tlog.ProveTree(tree.N, earlier.N, hashes)
	if err != nil {
		fail("ProveTree(%d, %d): %v", tree.N, earlier.N, err)
	}
	if err := tlog.CheckTree(p, tree.N, tree.Hash, earlier.N, earlier.Hash); err != nil {
		fail("CheckTree(%d, %d): %v", tree.N, earlier.N, err)
	}

	read := make([]string, 0, len(reader.read))
	for path := range reader.read {
		read = append(read, path)
	}
	sort.Strings(read)
	var buf bytes.Buffer
	json.NewEncoder(&buf).Encode(map[string]interface{}{
		"origin":          origin,
		"size":            tree.N,
		"earlier_size":    earlier.N,
		"records_proven":  tree.N,
		"tree_consistent": true,
		"tiles_read":      read,
	})
	os.Stdout.Write(buf.Bytes())
}
