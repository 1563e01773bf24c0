// Command implementations of twinseek-cli, callable from tests.
#pragma once

#include "services.h"

#include <QStringList>

namespace ts {

/// Runs `twinseek-cli ARGS...` (args[0] is the program name); returns the exit code.
int runCli(const QStringList &args);

} // namespace ts
