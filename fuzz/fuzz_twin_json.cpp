// Twin JSON reader: any text. A twin it accepts is written and read back to the same JSON.
#include "fuzzentry.h"
#include "twin/twin.h"

#include <nlohmann/json.hpp>

#include <string>

TS_FUZZ_TARGET(twin_json)
{
    const std::string text(reinterpret_cast<const char *>(data), size);
    auto twin = ts::twinFromJsonText(text);
    if (!twin)
        return 0;
    const nlohmann::json written = ts::toJson(*twin);
    auto back = ts::twinFromJson(written);
    TS_FUZZ_CHECK(back.isOk());
    TS_FUZZ_CHECK(ts::toJson(*back) == written);
    return 0;
}
