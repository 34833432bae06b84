//go:build unix

package sqlite

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// walIndex reads the header of the WAL index, the "-shm" file that SQLite
// maps into the memory of every process that uses the database. Every
// commit, by any connection of any process, rewrites that header before the
// commit returns, and a read transaction that starts later reads the
// committed data.
// So a header that has not changed since a read proves that no commit
// happened since: what the read returned is still current.
//
// The layout is that of struct WalIndexHdr and walIndexWriteHdr in the
// SQLite source that go-sqlite3 v1.14.53 bundles (sqlite3-binding.c): two
// copies of a 48-byte header at offsets 0 and 48. A writer updates the
// second copy, then the first, so a reader that finds the copies equal has
// read a whole header.
type walIndex struct {
	file *os.File // never closed; see walIndexes
	mem  []byte
}

// walIndexes holds the mapping of each WAL-index file this process has
// opened, by device and inode. A mapping is never closed. Closing any
// descriptor of the file drops every POSIX lock that the process holds on
// it, including those of SQLite connections that other stores or handles on
// the same database may still have open. Each distinct file costs one
// descriptor and one page of address space for the life of the process.
var walIndexes = struct {
	sync.Mutex
	byFile map[walIndexFile]*walIndex
}{byFile: map[walIndexFile]*walIndex{}}

type walIndexFile struct {
	dev, ino uint64
}

// walHeaderWords is the size of one copy of the header in 32-bit words.
const walHeaderWords = 12

// walMaxFrameWord is the word of a header copy that contains mxFrame, the
// frames in the WAL. walBackfillWord, the word after the two copies, contains
// nBackfill (struct WalCkptInfo): how many of them are in the database file.
const (
	walMaxFrameWord = 4
	walBackfillWord = 2 * walHeaderWords
)

// walVersion is one copy of the WAL-index header. Each commit changes it,
// because the header holds a counter of transactions and the checksum of
// the last frame.
type walVersion [walHeaderWords]uint32

// openWALIndex returns the mapping of the header of the WAL index of the
// database at path. The database must be in WAL mode, and a connection must
// have read it, so that the file exists and holds a header.
func openWALIndex(path string) (*walIndex, error) {
	shm := path + "-shm"
	id, err := walIndexFileOf(shm)
	if err != nil {
		return nil, err
	}

	walIndexes.Lock()
	defer walIndexes.Unlock()
	if w, ok := walIndexes.byFile[id]; ok {
		return w, nil
	}

	// From here on the descriptor stays open even on failure, because
	// closing it would drop SQLite's locks on the file.
	file, err := os.Open(shm)
	if err != nil {
		return nil, fmt.Errorf("open the WAL index: %w", err)
	}
	if info, err := file.Stat(); err != nil || fileID(info.Sys().(*syscall.Stat_t)) != id {
		return nil, fmt.Errorf("WAL index %s was replaced while it was opened", shm)
	}
	mem, err := syscall.Mmap(int(file.Fd()), 0, 4*(walBackfillWord+1), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map the WAL index: %w", err)
	}

	w := &walIndex{file: file, mem: mem}
	walIndexes.byFile[id] = w
	return w, nil
}

// walIndexFileOf returns the device and inode of the WAL-index file at
// path, after checking that it is large enough to hold the header.
func walIndexFileOf(path string) (walIndexFile, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return walIndexFile{}, fmt.Errorf("find the WAL index: %w", err)
	}
	if st.Size < 4*(walBackfillWord+1) {
		return walIndexFile{}, fmt.Errorf("WAL index %s has no header yet", path)
	}
	return fileID(&st), nil
}

func fileID(st *syscall.Stat_t) walIndexFile {
	return walIndexFile{dev: uint64(st.Dev), ino: uint64(st.Ino)}
}

// version returns the current header, or false while a writer is
// rewriting it.
func (w *walIndex) version() (walVersion, bool) {
	var first, second walVersion
	for i := range walHeaderWords {
		first[i] = w.word(i)
	}
	for i := range walHeaderWords {
		second[i] = w.word(walHeaderWords + i)
	}
	return first, first == second
}

// word loads the i-th 32-bit word of the mapping. Atomic loads keep the
// order of the two copies' reads, which the check of version relies on.
func (w *walIndex) word(i int) uint32 {
	return atomic.LoadUint32((*uint32)(unsafe.Pointer(&w.mem[4*i])))
}

// frames returns the frames in the WAL and how many of them are in the
// database file, or false while a writer is rewriting the header. Both are 0
// right after SQLite starts the WAL over.
func (w *walIndex) frames() (frames, backfilled uint32, ok bool) {
	header, ok := w.version()
	return header[walMaxFrameWord], w.word(walBackfillWord), ok
}
