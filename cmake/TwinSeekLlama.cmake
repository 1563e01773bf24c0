# Finds the llama.cpp that scripts/setup.sh builds from the llama-cpp-python sdist (PyPI) into the user's cache, or
# one given by -DTWINSEEK_LLAMA_ROOT=DIR (DIR/include/llama.h, DIR/lib/libllama.so, DIR/bin/llama-server).
set(TWINSEEK_WITH_LLAMA "AUTO" CACHE STRING "Embedded LLM (llama.cpp): ON, OFF or AUTO (when the set-up built it)")
set(TWINSEEK_LLAMA_ROOT "" CACHE PATH "llama.cpp root (include/, lib/, bin/)")

set(TWINSEEK_HAVE_LLAMA OFF)
if(NOT TWINSEEK_WITH_LLAMA STREQUAL "OFF" AND TWINSEEK_LLAMA_ROOT)
  find_path(LLAMA_INCLUDE_DIR llama.h HINTS "${TWINSEEK_LLAMA_ROOT}/include" NO_DEFAULT_PATH)
  find_library(LLAMA_LIBRARY NAMES llama HINTS "${TWINSEEK_LLAMA_ROOT}/lib" NO_DEFAULT_PATH)
  find_library(GGML_LIBRARY NAMES ggml HINTS "${TWINSEEK_LLAMA_ROOT}/lib" NO_DEFAULT_PATH)
  find_library(GGML_BASE_LIBRARY NAMES ggml-base HINTS "${TWINSEEK_LLAMA_ROOT}/lib" NO_DEFAULT_PATH)
endif()
if(LLAMA_INCLUDE_DIR AND LLAMA_LIBRARY AND GGML_LIBRARY AND GGML_BASE_LIBRARY)
  add_library(llama::llama SHARED IMPORTED)
  set_target_properties(llama::llama PROPERTIES
    IMPORTED_LOCATION "${LLAMA_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LLAMA_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${GGML_LIBRARY};${GGML_BASE_LIBRARY}")
  set(TWINSEEK_HAVE_LLAMA ON)
  find_program(TWINSEEK_LLAMA_SERVER llama-server HINTS "${TWINSEEK_LLAMA_ROOT}/bin" NO_DEFAULT_PATH)
  message(STATUS "llama.cpp: ${LLAMA_LIBRARY}")
elseif(TWINSEEK_WITH_LLAMA STREQUAL "ON")
  message(FATAL_ERROR "TWINSEEK_WITH_LLAMA=ON but no llama.cpp under '${TWINSEEK_LLAMA_ROOT}'; run scripts/setup.sh")
elseif(NOT TWINSEEK_WITH_LLAMA STREQUAL "OFF")
  message(STATUS "llama.cpp not found: no embedded LLM (endpoints and the built-in reasoner still work)")
endif()
