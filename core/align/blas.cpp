#include "blas.h"

#include <cblas.h>

#include <mutex>

namespace ts {

namespace {

std::mutex &blasMutex()
{
    static std::mutex m; // guards a library that is not reentrant, nothing of ours
    return m;
}

} // namespace

void sgemmNT(int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c,
             int ldc)
{
    std::lock_guard<std::mutex> lock(blasMutex());
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

} // namespace ts
