// Status and Result: the error code travels with the message through every hand-over, so a caller can tell a
// cancel from a failure without reading the text.
#include "base/result.h"

#include <QTest>

using namespace ts;

namespace {

Result<int> cancelledDeepDown() { return Result<int>::cancelled(); }

Result<std::string> passedOn()
{
    Result<int> inner = cancelledDeepDown();
    if (!inner)
        return Result<std::string>::error(inner);
    return std::to_string(*inner);
}

} // namespace

class TestResult : public QObject {
    Q_OBJECT
private slots:
    void codes()
    {
        QCOMPARE(Status::ok().code(), ErrorCode::None);
        QVERIFY(Status::ok().isOk());
        const Status failed = Status::error("disk full");
        QCOMPARE(failed.code(), ErrorCode::Failed);
        QVERIFY(!failed.isOk() && !failed.isCancelled());
        // An error is never "None", whatever the caller passes.
        QCOMPARE(Status::error("x", ErrorCode::None).code(), ErrorCode::Failed);
        QVERIFY(!Status::error("x", ErrorCode::None).isOk());
        const Status cancelled = Status::cancelled();
        QVERIFY(cancelled.isCancelled() && !cancelled.isOk());
        QCOMPARE(cancelled.message(), std::string("cancelled"));
    }

    void resultsPassTheCodeOn()
    {
        const Result<std::string> r = passedOn();
        QVERIFY(!r.isOk());
        QVERIFY(r.isCancelled());
        QCOMPARE(r.status().code(), ErrorCode::Cancelled);
        QCOMPARE(Result<double>::error(Status::error("bad frame")).code(), ErrorCode::Failed);
        QCOMPARE(Result<double>::error(r.status()).code(), ErrorCode::Cancelled);
        const Result<int> value = 3;
        QCOMPARE(value.code(), ErrorCode::None);
        QVERIFY(!value.isCancelled());
    }
};

QTEST_APPLESS_MAIN(TestResult)
#include "tst_result.moc"
