// Matrix products for the aligner. OpenBLAS's threaded builds (Debian's libopenblas0-pthread) corrupt memory when
// several threads call into them at once (seen here: ingest workers embedding while another searches), so every
// call in the process goes through one lock; each call still uses OpenBLAS's own threads.
#pragma once

namespace ts {

/// C = alpha * A * B^T + beta * C, row-major: A is m x k, B is n x k, C is m x n. Thread-safe.
void sgemmNT(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c,
             int ldc);

} // namespace ts
