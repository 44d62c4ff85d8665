#pragma once
// The option reference in docs/configuration.md, made from the option table: one markdown table
// per scope. `ringhttpd --help-markdown` prints it; scripts/gen-options-doc.sh splices it into the
// docs between <!-- options:begin --> and <!-- options:end -->, and a unit test fails when the
// docs hold anything else there.

#include <string>

namespace ringhttpd::app {

std::string reference_markdown();

}  // namespace ringhttpd::app
