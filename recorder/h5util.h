// h5util.h: HDF5 helpers shared by the recorder's files: quiet error handling with messages,
// typed attributes, and whole-array datasets with the recorder's chunking and filters.
#ifndef DEMOGYM_H5UTIL_H
#define DEMOGYM_H5UTIL_H

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>

// Make HDF5 silent in the calling thread (its error stacks would go to stderr); call before any
// HDF5 use in a thread. Returns 0, or -1 when the HDF5 library cannot be initialised.
int dg_h5_quiet(void);

// Format a message into buf (bufsz bytes; nullable) and this thread's last message, followed by
// HDF5's innermost error description when its error stack holds one; clear the stack; return code.
int dg_h5_fail(char* buf, size_t bufsz, int code, const char* fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Return 1 when path names a readable HDF5 file; 0 when it exists but is not HDF5 (or is
// truncated: its superblock is there but its end of file lies past the file's size); -1 when
// it cannot be read (missing, unreadable). why (whysz bytes) says what was wrong.
int dg_h5_probe(const char* path, char* why, size_t whysz);

// A file access property list for the recorder's files: earliest format (no file-consistency
// flags a killed writer could leave set), no file locking. The caller closes it.
hid_t dg_h5_fapl(void);

// A file creation property list for the recorder's files: small B-tree nodes (a demo's
// datasets have one chunk each; HDF5's defaults would spend kilobytes per dataset on indexes).
// The caller closes it.
hid_t dg_h5_fcpl(void);

// An object creation property list that keeps no timestamps (for groups). The caller closes it.
hid_t dg_h5_gcpl(void);

// Create group name under loc (no timestamps); return its id or a negative value.
hid_t dg_h5_group_create(hid_t loc, const char* name);

// Return 1 when loc has a link called name (a single path component or a path), 0 if not.
int dg_h5_exists(hid_t loc, const char* name);

// Write a scalar attribute on obj (replacing one of the same name). Return 0 or -1.
int dg_h5_attr_int(hid_t obj, const char* name, int64_t value);
int dg_h5_attr_uint(hid_t obj, const char* name, uint64_t value);
int dg_h5_attr_string(hid_t obj, const char* name, const char* value);  // variable-length UTF-8

// Read a scalar integer attribute into *value; return 0, or -1 when missing or not an integer.
int dg_h5_read_attr_int(hid_t obj, const char* name, int64_t* value);
int dg_h5_read_attr_uint(hid_t obj, const char* name, uint64_t* value);

// Read a string attribute (fixed or variable length) into a new buffer the caller frees; NULL
// when missing or not a string.
char* dg_h5_read_attr_string(hid_t obj, const char* name);

// Create a dataset name under loc holding rows x cols values (cols 0: a 1-D dataset of rows)
// of type mem_type (H5T_NATIVE_DOUBLE or H5T_NATIVE_INT64, stored little-endian), chunked by
// whole rows up to about 1 MiB per chunk, with shuffle + deflate at level (0: no filters).
// Return 0 or -1.
int dg_h5_write_array(hid_t loc, const char* name, hid_t mem_type, const void* data, int rows,
                      int cols, int level);

// Read the shape of dataset name under loc: rank into *rank (1 or 2), dims into dims[0..1]
// (dims[1] = 0 for rank 1). Return 0, or -1 when missing or of another rank.
int dg_h5_shape(hid_t loc, const char* name, int* rank, hsize_t dims[2]);

// Read all of dataset name (any numeric type) converted to mem_type into data, which holds
// `count` values; fails (-1) when the dataset does not hold exactly count values or is not
// numeric.
int dg_h5_read_array(hid_t loc, const char* name, hid_t mem_type, void* data, size_t count);

// Read a 1-D dataset of fixed- or variable-length strings (mask/<key>) into a new array of new
// strings; *n receives the count. Free with dg_h5_free_strings. Return 0 or -1.
int dg_h5_read_strings(hid_t loc, const char* name, char*** out, int* n);

// Write a 1-D dataset of fixed-length, null-padded ASCII strings (h5py reads them as bytes),
// as robomimic stores mask/<key>. Return 0 or -1.
int dg_h5_write_strings(hid_t loc, const char* name, const char* const* strings, int n);

// Free an array of n strings returned by dg_h5_read_strings. Nullable.
void dg_h5_free_strings(char** strings, int n);

#endif  // DEMOGYM_H5UTIL_H
