# cython: language_level=3
"""Compiled core of the enumerator: canonical forms, NB101 md5 hashing, the NB101 walk.

Classifying graphs. NAS-Bench-101's hash (`graph_util.hash_module`) is an isomorphism
invariant that Google verified to have no false positives on graphs of up to 7 vertices,
9 edges and 3 ops. So within that domain "same NB101 hash" means "isomorphic", and we
deduplicate with an exact canonical form instead of md5: vertices are sorted by an
isomorphism-invariant key, and the canonical code is the smallest adjacency bit pattern
over the permutations that keep that order (usually one or two). A class's md5 hash is
computed once, from its first member. `GraphClassifier.check_digests_distinct` confirms,
for whatever was classified, that md5 separates every class, i.e. that classes and
hashes coincide one-to-one.

md5 is hand-written (RFC 1321) because the hash of one graph needs about V*(V+1)+1
digests of short strings: through `hashlib` the per-call overhead makes the NB101 hash of
all SS3 classes take seconds (see `make bench`); in C it is a fraction of that.
"""

from libc.stdint cimport int8_t, int32_t, int64_t, uint8_t, uint32_t, uint64_t
from libc.stdio cimport snprintf
from libc.stdlib cimport free, malloc
from libc.string cimport memcmp, memcpy, memset, strcmp

import math

import numpy as np

# ----------------------------------------------------------------------------- md5

cdef uint32_t _K[64]
cdef int _S[64]
for _i in range(64):
    _K[_i] = <uint32_t>int(abs(math.sin(_i + 1)) * 4294967296.0)
for _i, _s in enumerate([7, 12, 17, 22] * 4 + [5, 9, 14, 20] * 4 + [4, 11, 16, 23] * 4
                        + [6, 10, 15, 21] * 4):
    _S[_i] = _s

cdef const char* _HEX = b"0123456789abcdef"


cdef inline uint32_t _rotl(uint32_t x, int c) noexcept nogil:
    return (x << c) | (x >> (32 - c))


cdef void _md5_block(uint32_t* state, const uint8_t* block) noexcept nogil:
    cdef uint32_t m[16]
    cdef uint32_t a = state[0], b = state[1], c = state[2], d = state[3], f, tmp
    cdef int i
    for i in range(16):
        m[i] = (<uint32_t>block[4 * i] | (<uint32_t>block[4 * i + 1] << 8)
                | (<uint32_t>block[4 * i + 2] << 16) | (<uint32_t>block[4 * i + 3] << 24))
    for i in range(16):
        f = d ^ (b & (c ^ d))
        tmp = d
        d = c
        c = b
        b = b + _rotl(a + f + _K[i] + m[i], _S[i])
        a = tmp
    for i in range(16, 32):
        f = c ^ (d & (b ^ c))
        tmp = d
        d = c
        c = b
        b = b + _rotl(a + f + _K[i] + m[(5 * i + 1) & 15], _S[i])
        a = tmp
    for i in range(32, 48):
        f = b ^ c ^ d
        tmp = d
        d = c
        c = b
        b = b + _rotl(a + f + _K[i] + m[(3 * i + 5) & 15], _S[i])
        a = tmp
    for i in range(48, 64):
        f = c ^ (b | ~d)
        tmp = d
        d = c
        c = b
        b = b + _rotl(a + f + _K[i] + m[(7 * i) & 15], _S[i])
        a = tmp
    state[0] += a
    state[1] += b
    state[2] += c
    state[3] += d


cdef void md5_hex(const char* msg, size_t n, char* out33) noexcept nogil:
    """md5 of `msg[:n]` as 32 lowercase hex characters plus a NUL."""
    cdef uint32_t state[4]
    cdef uint8_t tail[128]
    cdef size_t full = n - (n % 64), i, rest
    cdef uint64_t bits = <uint64_t>n * 8
    cdef int j
    state[0] = 0x67452301
    state[1] = 0xefcdab89
    state[2] = 0x98badcfe
    state[3] = 0x10325476
    i = 0
    while i < full:
        _md5_block(state, <const uint8_t*>msg + i)
        i += 64
    rest = n - full
    memset(tail, 0, 128)
    memcpy(tail, msg + full, rest)
    tail[rest] = 0x80
    if rest < 56:
        for j in range(8):
            tail[56 + j] = <uint8_t>(bits >> (8 * j))
        _md5_block(state, tail)
    else:
        for j in range(8):
            tail[120 + j] = <uint8_t>(bits >> (8 * j))
        _md5_block(state, tail)
        _md5_block(state, tail + 64)
    for j in range(16):
        out33[2 * j] = _HEX[(state[j // 4] >> (8 * (j % 4) + 4)) & 15]
        out33[2 * j + 1] = _HEX[(state[j // 4] >> (8 * (j % 4))) & 15]
    out33[32] = 0


def md5_hexdigest(bytes data):
    """md5 hex digest of `data` through the compiled implementation (tested vs hashlib)."""
    cdef char out[33]
    md5_hex(data, len(data), out)
    return out[:32].decode("ascii")


cdef inline int _popcount(uint64_t x) noexcept nogil:
    cdef int c = 0
    while x:
        x &= x - 1
        c += 1
    return c


cdef void _sort_ptrs(const char** a, int n) noexcept nogil:
    cdef int i, j
    cdef const char* x
    for i in range(1, n):
        x = a[i]
        j = i - 1
        while j >= 0 and strcmp(a[j], x) > 0:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = x


cdef void c_hash_module(int V, const uint8_t* out, const int8_t* lab, char* result) noexcept nogil:
    """`graph_util.hash_module` for a graph of V <= 8 vertices given as out-masks."""
    cdef char hexes[8][33]
    cdef char fresh[8][33]
    cdef const char* ptrs[8]
    cdef char buf[1024]
    cdef uint8_t inm[8]
    cdef int v, u, r, n, pos
    memset(inm, 0, sizeof(inm))
    for v in range(V):
        for u in range(V):
            if (out[v] >> u) & 1:
                inm[u] |= <uint8_t>(1 << v)
    for v in range(V):
        n = snprintf(buf, 64, "(%d, %d, %d)", _popcount(out[v]), _popcount(inm[v]), <int>lab[v])
        md5_hex(buf, n, hexes[v])
    for r in range(V):
        for v in range(V):
            pos = 0
            n = 0
            for u in range(V):
                if (inm[v] >> u) & 1:
                    ptrs[n] = hexes[u]
                    n += 1
            _sort_ptrs(ptrs, n)
            for u in range(n):
                memcpy(buf + pos, ptrs[u], 32)
                pos += 32
            buf[pos] = 124  # '|'
            pos += 1
            n = 0
            for u in range(V):
                if (out[v] >> u) & 1:
                    ptrs[n] = hexes[u]
                    n += 1
            _sort_ptrs(ptrs, n)
            for u in range(n):
                memcpy(buf + pos, ptrs[u], 32)
                pos += 32
            buf[pos] = 124
            pos += 1
            memcpy(buf + pos, hexes[v], 32)
            pos += 32
            md5_hex(buf, pos, fresh[v])
        memcpy(hexes, fresh, sizeof(hexes))
    for v in range(V):
        ptrs[v] = hexes[v]
    _sort_ptrs(ptrs, V)
    buf[0] = 91  # '['
    pos = 1
    for v in range(V):
        if v:
            buf[pos] = 44  # ','
            buf[pos + 1] = 32
            pos += 2
        buf[pos] = 39  # "'"
        memcpy(buf + pos + 1, ptrs[v], 32)
        buf[pos + 33] = 39
        pos += 34
    buf[pos] = 93  # ']'
    pos += 1
    md5_hex(buf, pos, result)


def hash_module(out_masks, labels):
    """NB101 hash of a graph given as per-vertex out-neighbour masks and int labels."""
    cdef uint8_t out[8]
    cdef int8_t lab[8]
    cdef char result[33]
    cdef int V = len(out_masks), v
    if V < 1 or V > 8 or len(labels) != V:
        raise ValueError("graphs of 1..8 vertices with one label per vertex")
    for v in range(V):
        out[v] = <uint8_t>out_masks[v]
        lab[v] = <int8_t>labels[v]
    c_hash_module(V, out, lab, result)
    return result[:32].decode("ascii")

# ------------------------------------------------------- spec -> pruned graph -> row
# The Google-compatible `query(spec)` is called millions of times from user scripts, so the
# per-spec work (triangularity check, pruning) and the per-query work (hash -> row) run
# here in C instead of in numpy/Python calls that each cost microseconds.

def spec_prune(const uint8_t[:, ::1] nonzero):
    """Prune a square 0/1 matrix (any nonzero byte is an edge) like `ModelSpec._prune`.

    Returns None when an entry on or below the diagonal is set (not upper triangular),
    else `(keep, pruned_masks, edges)`: the bitmask of the vertices on an input-to-output
    path, the out-neighbour masks of the kept vertices re-indexed in order, and the
    number of edges among them. Up to 64 vertices (the caller falls back to Python beyond).
    """
    cdef Py_ssize_t n = nonzero.shape[0], i, j
    cdef uint64_t out[64]
    cdef uint64_t forward, backward, keep, targets, mask
    cdef int new_index[64]
    cdef int k, edges = 0
    if n != nonzero.shape[1] or n < 1 or n > 64:
        raise ValueError("spec_prune takes a square matrix of 1..64 vertices")
    for i in range(n):
        out[i] = 0
        for j in range(n):
            if nonzero[i, j]:
                if j <= i:
                    return None
                out[i] |= (<uint64_t>1) << j
    forward = 1
    for i in range(n):
        if (forward >> i) & 1:
            forward |= out[i]
    backward = (<uint64_t>1) << (n - 1)
    for i in range(n - 1, -1, -1):
        if out[i] & backward:
            backward |= (<uint64_t>1) << i
    keep = forward & backward
    k = 0
    for i in range(n):
        if (keep >> i) & 1:
            new_index[i] = k
            k += 1
    pruned = []
    for i in range(n):
        if (keep >> i) & 1:
            mask = 0
            targets = out[i] & keep
            for j in range(i + 1, n):
                if (targets >> j) & 1:
                    mask |= (<uint64_t>1) << new_index[j]
                    edges += 1
            pruned.append(mask)
    return keep, pruned, edges


cdef class SortedHashes:
    """Row of one NB101 hash in a sorted 'S32' hash column, by binary search in C.

    Why not a dict or a bucket table: both must be built from the whole column before the
    first answer (tens of milliseconds for the full dataset), while a binary search over
    the sorted, memory-mapped column needs nothing built and touches about 19 of its
    pages per query. The column is referenced, never copied.
    """

    cdef const uint8_t[:, ::1] _table
    cdef Py_ssize_t _n

    def __init__(self, hashes):
        column = np.asarray(hashes)
        if column.dtype != np.dtype("S32") or column.ndim != 1:
            raise ValueError("SortedHashes takes a 1-D 'S32' array of sorted hashes")
        column = np.ascontiguousarray(column)
        self._n = column.shape[0]
        self._table = column.view(np.uint8).reshape(self._n, 32)

    def __len__(self):
        return self._n

    def row(self, key):
        """Row of `key` (32 ASCII bytes or str), -1 when it is not in the column."""
        cdef const unsigned char* k
        cdef Py_ssize_t lo = 0, hi = self._n, mid
        cdef int c
        if isinstance(key, str):
            key = (<str>key).encode("ascii", "replace")
        if not isinstance(key, bytes) or len(<bytes>key) != 32:
            return -1
        k = <const unsigned char*><bytes>key
        while lo < hi:
            mid = (lo + hi) >> 1
            c = memcmp(&self._table[mid, 0], k, 32)
            if c < 0:
                lo = mid + 1
            elif c > 0:
                hi = mid
            else:
                return mid
        return -1


# ------------------------------------------------------------------ canonical form

cdef uint8_t _PERMS[6][120][5]
cdef int _NPERMS[6]


def _init_perms():
    import itertools
    for size in range(6):
        perms = list(itertools.permutations(range(size)))
        _NPERMS[size] = len(perms)
        for i, p in enumerate(perms):
            for j, x in enumerate(p):
                _PERMS[size][i][j] = x


_init_perms()


cdef inline uint64_t _mix(uint64_t z) noexcept nogil:
    z = (z ^ (z >> 30)) * <uint64_t>0xbf58476d1ce4e5b9
    z = (z ^ (z >> 27)) * <uint64_t>0x94d049bb133111eb
    return z ^ (z >> 31)


cdef uint64_t c_canonical(int V, const uint8_t* out, const int8_t* lab) noexcept nogil:
    """Canonical code of a labelled DAG (V <= 7, labels in -2..2); equal iff isomorphic.

    Needs exactly one input (-1) and one output (-2) vertex, as every NB101 spec has.
    Layout: bits 0-48 adjacency in canonical order (row-major V x V), bits 49-58 the op
    labels (0..2, 2 bits each) of canonical positions 2..V-1, bits 59-61 V.
    """
    cdef uint8_t inm[8]
    cdef uint64_t inv[8]
    cdef uint64_t inv2[8]
    cdef uint64_t acc_in, acc_out, best, code
    cdef int order[8]
    cdef int cell_start[8]
    cdef int cell_size[8]
    cdef int cell_perm[8]
    cdef int posn[8]
    cdef int eu[16]
    cdef int ev[16]
    cdef int v, u, i, j, ncells, ne, c, x, done
    cdef uint64_t key
    memset(inm, 0, sizeof(inm))
    ne = 0
    for v in range(V):
        for u in range(V):
            if (out[v] >> u) & 1:
                inm[u] |= <uint8_t>(1 << v)
                eu[ne] = v
                ev[ne] = u
                ne += 1
    for v in range(V):
        inv[v] = (<uint64_t>(lab[v] + 3) << 16) | (<uint64_t>_popcount(inm[v]) << 8) | _popcount(out[v])
    # one refinement round: commutative mix of neighbour invariants (order-free)
    for v in range(V):
        acc_in = 0
        acc_out = 0
        for u in range(V):
            if (inm[v] >> u) & 1:
                acc_in += _mix(inv[u] + <uint64_t>0x1234567)
            if (out[v] >> u) & 1:
                acc_out += _mix(inv[u] + <uint64_t>0x7654321)
        # keep the label/degree part in the top bits so cells sort by label first
        inv2[v] = (inv[v] << 40) | (_mix(acc_in * <uint64_t>31 + acc_out) >> 24)
    for v in range(V):
        order[v] = v
    for i in range(1, V):
        x = order[i]
        j = i - 1
        while j >= 0 and inv2[order[j]] > inv2[x]:
            order[j + 1] = order[j]
            j -= 1
        order[j + 1] = x
    ncells = 0
    i = 0
    while i < V:
        j = i
        while j + 1 < V and inv2[order[j + 1]] == inv2[order[i]]:
            j += 1
        cell_start[ncells] = i
        cell_size[ncells] = j - i + 1
        cell_perm[ncells] = 0
        ncells += 1
        i = j + 1
    # The unique output (-2) and input (-1) sort to positions 0 and 1; ops fill 2..V-1.
    key = <uint64_t>V << 59
    for i in range(2, V):
        key |= <uint64_t>lab[order[i]] << (49 + 2 * (i - 2))
    best = <uint64_t>0xFFFFFFFFFFFFFFFF
    while True:
        for c in range(ncells):
            for i in range(cell_size[c]):
                posn[order[cell_start[c] + _PERMS[cell_size[c]][cell_perm[c]][i]]] = cell_start[c] + i
        code = 0
        for i in range(ne):
            code |= (<uint64_t>1) << (posn[eu[i]] * V + posn[ev[i]])
        if code < best:
            best = code
        done = 1
        for c in range(ncells):
            cell_perm[c] += 1
            if cell_perm[c] < _NPERMS[cell_size[c]]:
                done = 0
                break
            cell_perm[c] = 0
        if done:
            break
    return key | best


cdef class _U64Table:
    """Open-addressing map from uint64 codes to consecutive ids."""

    cdef uint64_t* codes
    cdef int32_t* slots
    cdef int64_t n, nslots

    def __cinit__(self):
        self.nslots = 1 << 16
        self.codes = <uint64_t*> malloc((self.nslots // 2 + 1) * sizeof(uint64_t))
        self.slots = <int32_t*> malloc(self.nslots * sizeof(int32_t))
        if not (self.codes and self.slots):
            raise MemoryError()
        memset(self.slots, 0xFF, self.nslots * sizeof(int32_t))
        self.n = 0

    def __dealloc__(self):
        free(self.codes)
        free(self.slots)

    cdef int _grow(self) except -1:
        cdef int64_t new_n = self.nslots * 2, i, j, mask = new_n - 1
        cdef int32_t* new_slots = <int32_t*> malloc(new_n * sizeof(int32_t))
        cdef uint64_t* new_codes = <uint64_t*> malloc((new_n // 2 + 1) * sizeof(uint64_t))
        if not (new_slots and new_codes):
            free(new_slots)
            free(new_codes)
            raise MemoryError()
        memset(new_slots, 0xFF, new_n * sizeof(int32_t))
        memcpy(new_codes, self.codes, self.n * sizeof(uint64_t))
        for i in range(self.n):
            j = <int64_t>(_mix(new_codes[i]) & <uint64_t>mask)
            while new_slots[j] != -1:
                j = (j + 1) & mask
            new_slots[j] = <int32_t>i
        free(self.slots)
        free(self.codes)
        self.slots = new_slots
        self.codes = new_codes
        self.nslots = new_n
        return 0

    cdef int32_t intern(self, uint64_t code) except -1:
        cdef int64_t mask = self.nslots - 1
        cdef int64_t j = <int64_t>(_mix(code) & <uint64_t>mask)
        cdef int32_t s
        while True:
            s = self.slots[j]
            if s == -1:
                break
            if self.codes[s] == code:
                return s
            j = (j + 1) & mask
        self.codes[self.n] = code
        self.slots[j] = <int32_t>self.n
        self.n += 1
        if self.n * 2 >= self.nslots:
            self._grow()
        return <int32_t>(self.n - 1)


def _check_graph(int V, labels):
    if V < 2 or V > 7 or len(labels) != V:
        raise ValueError("graphs of 2..7 vertices with one label per vertex")
    if labels[0] != -1 or labels[V - 1] != -2 or any(not 0 <= x <= 2 for x in labels[1:V - 1]):
        raise ValueError("labels must be -1 (input), ops 0..2, then -2 (output)")


cdef class GraphClassifier:
    """Assigns consecutive class ids to labelled DAGs: same id iff same NB101 hash.

    Keeps the first graph of every class as its representative, from which
    `hexdigests` computes the NB101 md5 hash of the class on demand.
    """

    cdef _U64Table table
    cdef uint8_t* rep_out
    cdef int8_t* rep_lab
    cdef uint8_t* rep_v
    cdef int64_t cap
    cdef list _hex

    def __cinit__(self):
        self.table = _U64Table()
        self.cap = 1 << 12
        self.rep_out = <uint8_t*> malloc(self.cap * 8)
        self.rep_lab = <int8_t*> malloc(self.cap * 8)
        self.rep_v = <uint8_t*> malloc(self.cap)
        if not (self.rep_out and self.rep_lab and self.rep_v):
            raise MemoryError()
        self._hex = []

    def __dealloc__(self):
        free(self.rep_out)
        free(self.rep_lab)
        free(self.rep_v)

    def __len__(self):
        return self.table.n

    @property
    def num_classes(self):
        return self.table.n

    cdef int _reserve(self) except -1:
        cdef int64_t new_cap = self.cap * 2
        cdef uint8_t* a = <uint8_t*> malloc(new_cap * 8)
        cdef int8_t* b = <int8_t*> malloc(new_cap * 8)
        cdef uint8_t* c = <uint8_t*> malloc(new_cap)
        if not (a and b and c):
            free(a)
            free(b)
            free(c)
            raise MemoryError()
        memcpy(a, self.rep_out, self.cap * 8)
        memcpy(b, self.rep_lab, self.cap * 8)
        memcpy(c, self.rep_v, self.cap)
        free(self.rep_out)
        free(self.rep_lab)
        free(self.rep_v)
        self.rep_out = a
        self.rep_lab = b
        self.rep_v = c
        self.cap = new_cap
        return 0

    cdef int32_t classify_c(self, int V, const uint8_t* out, const int8_t* lab) except -1:
        cdef int64_t before = self.table.n
        cdef int32_t cid = self.table.intern(c_canonical(V, out, lab))
        if cid == before:
            if self.table.n > self.cap:
                self._reserve()
            memcpy(self.rep_out + 8 * cid, out, V)
            memcpy(self.rep_lab + 8 * cid, lab, V)
            self.rep_v[cid] = <uint8_t>V
        return cid

    def classify(self, out_masks, labels):
        """Class id of one graph (per-vertex out-neighbour masks, int labels)."""
        cdef uint8_t out[8]
        cdef int8_t lab[8]
        cdef int V = len(out_masks), v
        _check_graph(V, labels)
        for v in range(V):
            out[v] = <uint8_t>out_masks[v]
            lab[v] = <int8_t>labels[v]
        return self.classify_c(V, out, lab)

    def classify_labelings(self, out_masks, labels, positions):
        """Class ids of every labelling of `positions` with ops 0..2.

        The result's index reads the positions' labels as base-3 digits, `positions[0]`
        most significant, as `itertools.product` over them would.
        """
        cdef uint8_t out[8]
        cdef int8_t lab[8]
        cdef int pos[8]
        cdef int digit[8]
        cdef int V = len(out_masks), m = len(positions), v, i
        cdef int64_t count = 1, c
        _check_graph(V, labels)
        for i in range(m):
            count *= 3
        result = np.empty(count, dtype=np.int32)
        cdef int32_t[::1] res = result
        for v in range(V):
            out[v] = <uint8_t>out_masks[v]
            lab[v] = <int8_t>labels[v]
        for i in range(m):
            pos[i] = positions[i]
            digit[i] = 0
            lab[pos[i]] = 0
        for c in range(count):
            res[c] = self.classify_c(V, out, lab)
            i = m - 1
            while i >= 0:
                digit[i] += 1
                if digit[i] < 3:
                    lab[pos[i]] = <int8_t>digit[i]
                    break
                digit[i] = 0
                lab[pos[i]] = 0
                i -= 1
        return result

    def representative(self, int64_t class_id):
        """(out-masks, labels) of the first graph seen in a class."""
        if class_id < 0 or class_id >= self.table.n:
            raise IndexError(class_id)
        V = self.rep_v[class_id]
        return ([self.rep_out[8 * class_id + v] for v in range(V)],
                [self.rep_lab[8 * class_id + v] for v in range(V)])

    def representatives(self):
        """All representatives as arrays: V [n], out-masks [n, 7], labels [n, 7]."""
        n = self.table.n
        vs = np.empty(n, dtype=np.int8)
        outs = np.zeros((n, 7), dtype=np.uint8)
        labs = np.zeros((n, 7), dtype=np.int8)
        cdef int64_t c
        cdef int v
        cdef int8_t[::1] vv = vs
        cdef uint8_t[:, ::1] oo = outs
        cdef int8_t[:, ::1] ll = labs
        for c in range(n):
            vv[c] = <int8_t>self.rep_v[c]
            for v in range(self.rep_v[c]):
                oo[c, v] = self.rep_out[8 * c + v]
                ll[c, v] = self.rep_lab[8 * c + v]
        return vs, outs, labs

    def hexdigests(self, class_ids):
        """NB101 md5 hex hashes of classes, each computed once (on first request)."""
        cdef list hexes = self._hex
        cdef int64_t c
        cdef char result[33]
        if len(hexes) < self.table.n:
            hexes.extend([None] * (self.table.n - len(hexes)))
        out = []
        for c in class_ids:
            if c < 0 or c >= self.table.n:
                raise IndexError(c)
            h = hexes[c]
            if h is None:
                c_hash_module(self.rep_v[c], self.rep_out + 8 * c, self.rep_lab + 8 * c, result)
                h = result[:32].decode("ascii")
                hexes[c] = h
            out.append(h)
        return out

    def hexdigest(self, int64_t class_id):
        return self.hexdigests([class_id])[0]

    def check_digests_distinct(self):
        """True when every class has a different md5 hash (classes == hashes)."""
        all_hex = self.hexdigests(range(self.table.n))
        return len(set(all_hex)) == len(all_hex)


def enumerate_nb101(GraphClassifier classifier, int max_vertices=7, int max_edges=9,
                    int num_ops=3):
    """Walk NAS-Bench-101's own generator and classify every labelled graph.

    As in Google's `generate_graphs.py`: V = 2..max_vertices; bit `x + y*(y-1)/2` of the
    mask is edge x->y; graphs with a vertex off every input-output path or with more
    than `max_edges` edges are skipped; labellings in `itertools.product` order. The
    first graph of each class is its representative (the generator's bucket entry).
    Returns dicts V -> labelled graphs walked and V -> classes first seen at V.
    """
    cdef uint8_t out[8]
    cdef uint8_t inm[8]
    cdef int8_t lab[8]
    cdef int digit[8]
    cdef int V, nbits, x, y, v, i, nlab, ok
    cdef int64_t bits, nmasks, total, c, ncount, before
    if max_vertices > 7 or num_ops > 3:
        raise ValueError("the compiled walk supports up to 7 vertices and 3 ops")
    labelled = {}
    unique = {}
    for V in range(2, max_vertices + 1):
        nbits = V * (V - 1) // 2
        nmasks = (<int64_t>1) << nbits
        total = 0
        before = classifier.table.n
        for bits in range(nmasks):
            if _popcount(<uint64_t>bits) > max_edges:
                continue
            memset(out, 0, sizeof(out))
            memset(inm, 0, sizeof(inm))
            for y in range(1, V):
                for x in range(y):
                    if (bits >> (x + y * (y - 1) // 2)) & 1:
                        out[x] |= <uint8_t>(1 << y)
                        inm[y] |= <uint8_t>(1 << x)
            ok = 1
            for v in range(V - 1):
                if out[v] == 0:
                    ok = 0
            for v in range(1, V):
                if inm[v] == 0:
                    ok = 0
            if not ok:
                continue
            nlab = V - 2
            lab[0] = -1
            lab[V - 1] = -2
            ncount = 1
            for i in range(nlab):
                digit[i] = 0
                lab[1 + i] = 0
                ncount *= num_ops
            for c in range(ncount):
                total += 1
                classifier.classify_c(V, out, lab)
                i = nlab - 1
                while i >= 0:
                    digit[i] += 1
                    if digit[i] < num_ops:
                        lab[1 + i] = <int8_t>digit[i]
                        break
                    digit[i] = 0
                    lab[1 + i] = 0
                    i -= 1
        labelled[V] = total
        unique[V] = classifier.table.n - before
    return labelled, unique


# ------------------------------------------------------ canonical code -> NB101 row
# Within NAS-Bench-101's domain (<= 7 vertices, <= 9 edges, 3 ops) two specs share an NB101
# hash exactly when they are isomorphic (Google verified the hash has no false positives
# there), and `c_canonical` codes are equal exactly when graphs are isomorphic. So a table
# of the canonical codes of the dataset's rows answers "which row is this spec" without
# the ~57 md5 digests of the NB101 hash: one canonical form and one binary search.

cdef inline int _fill_graph(masks, labels, uint8_t* out, int8_t* lab) except -1:
    cdef int V = len(masks), v
    if V < 2 or V > 7 or len(labels) != V:
        raise ValueError("canonical codes take graphs of 2..7 vertices, one label each")
    for v in range(V):
        out[v] = <uint8_t>masks[v]
        lab[v] = <int8_t>labels[v]
    return V


def canonical_code(masks, labels):
    """`c_canonical` of a pruned NB101 spec: per-vertex out-masks, labels -1/-2/0..2."""
    cdef uint8_t out[8]
    cdef int8_t lab[8]
    cdef int V = _fill_graph(masks, labels, out, lab)
    return c_canonical(V, out, lab)


def canonical_codes(const int8_t[::1] num_vertices, const uint8_t[:, :, ::1] adjacency,
                    const int8_t[:, ::1] ops):
    """Canonical code of every row of an NB101 index (columns as in `harness/nb101/store.py`)."""
    cdef Py_ssize_t m = num_vertices.shape[0], r
    cdef int V, v, u
    cdef uint8_t out[8]
    cdef int8_t lab[8]
    codes = np.empty(m, dtype=np.uint64)
    cdef uint64_t[::1] result = codes
    with nogil:
        for r in range(m):
            V = num_vertices[r]
            for v in range(V):
                out[v] = 0
                lab[v] = ops[r, v]
                for u in range(V):
                    if adjacency[r, v, u]:
                        out[v] |= <uint8_t>(1 << u)
            result[r] = c_canonical(V, out, lab)
    return codes


cdef class SpecRows:
    """Row of a pruned spec in an NB101 index, from sorted (canonical code, row) columns."""

    cdef const uint64_t[::1] _codes
    cdef const int64_t[::1] _rows
    cdef Py_ssize_t _n

    def __init__(self, codes, rows):
        self._codes = codes
        self._rows = rows
        self._n = self._codes.shape[0]
        if self._rows.shape[0] != self._n:
            raise ValueError("codes and rows differ in length")

    def __len__(self):
        return self._n

    def row(self, masks, labels):
        """Row of the graph (out-masks, labels -1/-2/0..2), -1 when not in the index."""
        cdef uint8_t out[8]
        cdef int8_t lab[8]
        cdef int V = _fill_graph(masks, labels, out, lab)
        return self.row_of_code(c_canonical(V, out, lab))

    def row_of_code(self, uint64_t code):
        """Row of a canonical code, -1 when absent."""
        cdef Py_ssize_t lo = 0, hi = self._n, mid
        while lo < hi:
            mid = (lo + hi) >> 1
            if self._codes[mid] < code:
                lo = mid + 1
            elif self._codes[mid] > code:
                hi = mid
            else:
                return self._rows[mid]
        return -1


def spec_code(masks, ops, dict label_of):
    """`canonical_code` of a pruned spec given its op names: the first and last vertex are
    input (-1) and output (-2), the others labelled by `label_of[op]` (KeyError if absent)."""
    cdef uint8_t out[8]
    cdef int8_t lab[8]
    cdef int V = len(masks), v
    if V < 2 or V > 7 or len(ops) != V:
        raise ValueError("canonical codes take graphs of 2..7 vertices, one op each")
    for v in range(V):
        out[v] = <uint8_t>masks[v]
    lab[0] = -1
    lab[V - 1] = -2
    for v in range(1, V - 1):
        lab[v] = <int8_t>label_of[ops[v]]
    return c_canonical(V, out, lab)
