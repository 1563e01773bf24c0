// Query-set parser: any JSON Lines text. Every query it loads is written as a line that loads to the same query.
#include "eval/queryset.h"
#include "fuzzentry.h"

#include <string>

TS_FUZZ_TARGET(query_set)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    const ts::QuerySet set = ts::parseQuerySet(text);
    for (const ts::BenchQuery &q : set.queries) {
        const ts::QuerySet again = ts::parseQuerySet(ts::querySetLine(q));
        TS_FUZZ_CHECK(again.errors.empty() && again.queries.size() == 1);
        const ts::BenchQuery &r = again.queries.front();
        TS_FUZZ_CHECK(r.id == q.id && r.query == q.query && r.type == q.type && r.relevant == q.relevant &&
                      r.ground == q.ground && r.extraJson == q.extraJson);
    }
    return 0;
}
