// scale.h: the command's runs over several threads and processes: the MPI session (when launched
// by mpirun and built with DG_MPI) and the recording rollout spread over workers and ranks.
#ifndef DEMOGYM_CLI_SCALE_H
#define DEMOGYM_CLI_SCALE_H

#include "cli.h"
#include "demogym/recorder.h"

// Start MPI when this process was launched by mpirun/mpiexec with more than one rank; write this
// process's rank and the number of ranks (0 and 1 when not launched so). Return 0, or EXIT_USAGE
// after a message on stderr when launched with several ranks by a demogym built without MPI.
int cli_mpi_start(const char* sub, int* argc, char*** argv, int* rank, int* size);

// End the MPI session if one was started (every rank must call it).
void cli_mpi_end(void);

// Return rank 0's value of v on every rank (v itself without MPI).
int cli_mpi_bcast_int(int v);

// A recording's episodes and where they go.
typedef struct cli_record_job {
  dg_env* env;                    // this process's env (the first worker's)
  const dg_env_options* env_opt;  // its options, to make the other workers' envs
  dg_policy* policy;              // this process's policy; copied for the other workers
  dg_rec* rec;                    // the recorder (rank 0 only; NULL on the other ranks)
  int workers;                    // threads per process, 1..64 (the recorder holds up to 256
                                  // early episodes; a worker runs at most 4 ahead)
  const dg_rollout_options* opt;  // episodes, seed, first_episode, stop, and shared taps (rank 0;
                                  // episode_end only, called in index order)
} cli_record_job;

// Run the job's episodes over job->workers threads in each of the MPI ranks (one process without
// MPI); rank 0 hands every episode, in index order, to job->rec (the others send theirs to it),
// so the file is the same for any number of threads and ranks. Returns the same status on every
// rank (a failure anywhere ends the run everywhere; the message, on rank 0's last error, names
// the rank); on rank 0 summary covers the episodes that finished in order.
int cli_record_rollout(const cli_record_job* job, dg_rollout_summary* summary);

#endif  // DEMOGYM_CLI_SCALE_H
