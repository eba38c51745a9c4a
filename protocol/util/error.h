// The error type protocol/ throws for bad input and failed operations. Messages name the field or
// the step that failed and never contain key material.
#pragma once

#include <stdexcept>
#include <string>

namespace lp {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lp
