// shadow.h: crash-safe HDF5 files. HDF5 writes every byte into a shadow copy of the file
// (`<path>.shadow`); a commit swaps the shadow and the published name atomically (rename(2)),
// then brings the old copy up to date by replaying the bytes written since the last commit.
// The inode named <path> is never written while it has that name, so a process killed at any
// moment leaves <path> holding the last committed file, complete, opening without repair.
//
// Use: dg_shadow_open, then H5Fcreate/H5Fopen(path, ..., dg_shadow_fapl(sh)); after each
// H5Fflush, dg_shadow_commit; at the end H5Fclose, dg_shadow_commit, dg_shadow_close.
#ifndef DEMOGYM_SHADOW_H
#define DEMOGYM_SHADOW_H

#include <hdf5.h>
#include <stddef.h>

typedef struct dg_shadow dg_shadow;

// How dg_shadow_open treats path.
typedef enum dg_shadow_mode {
  DG_SHADOW_CREATE = 0,     // path must not exist; it appears at the first commit
  DG_SHADOW_OVERWRITE = 1,  // path may exist; it is replaced (atomically) at the first commit
  DG_SHADOW_APPEND = 2      // path must exist; HDF5 opens a copy of it
} dg_shadow_mode;

// Prepare writing path through a shadow copy; sync: fsync the shadow and the directory at each
// commit (survives power loss, not only a killed process). Fails with DG_ERR_INVALID when path
// exists (DG_SHADOW_CREATE), DG_ERR_NOTFOUND when it does not (DG_SHADOW_APPEND), DG_ERR_IO (message in err,
// errsz bytes) when path or its shadow cannot be made, or another writer holds the shadow.
int dg_shadow_open(const char* path, dg_shadow_mode mode, int sync, dg_shadow** out, char* err,
                   size_t errsz);

// Return a new file access property list routing HDF5's I/O through sh (the caller closes it).
hid_t dg_shadow_fapl(dg_shadow* sh);

// Publish what HDF5 wrote so far (call after H5Fflush or H5Fclose): atomically swap the shadow
// and path, then replay the bytes written since the last commit onto the new shadow.
int dg_shadow_commit(dg_shadow* sh, char* err, size_t errsz);

// Return the errno of the first failed write or truncate since open (0 if none).
int dg_shadow_io_errno(const dg_shadow* sh);

// Return the bytes written through HDF5 since open (data and metadata).
long long dg_shadow_bytes_written(const dg_shadow* sh);

// Abandon what HDF5 wrote since the last commit: from now on its writes are dropped (and
// succeed), so an HDF5 file whose disk is full can still be closed; commits are refused.
void dg_shadow_discard(dg_shadow* sh);

// Close the descriptors, remove the shadow name and free *sh (set to NULL). Uncommitted writes are
// dropped; path keeps its last committed content. Call after HDF5 closed the file (abandon the
// shadow first when the close could fail). Nullable: sh, *sh.
void dg_shadow_close(dg_shadow** sh);

// Testing aid: raise SIGKILL in this process at the n-th file operation from now (write,
// truncate, rename), to kill a writer at exact points of its commit protocol. 0 disables.
void dg_shadow_debug_kill_after(dg_shadow* sh, long n);

#endif  // DEMOGYM_SHADOW_H
