# Finds the ONNX Runtime that scripts/setup.sh unpacks from the npm registry (library from onnxruntime-node,
# C/C++ headers from com.github.asus4.onnxruntime) into the user's cache, or one given by
# -DTWINSEEK_ONNXRUNTIME_ROOT=DIR (DIR/include/onnxruntime_cxx_api.h, DIR/lib/libonnxruntime.so*).
set(_ts_ort_default "")
if(DEFINED ENV{TWINSEEK_CACHE_DIR})
  set(_ts_ort_default "$ENV{TWINSEEK_CACHE_DIR}/onnxruntime")
elseif(DEFINED ENV{XDG_CACHE_HOME})
  set(_ts_ort_default "$ENV{XDG_CACHE_HOME}/twinseek/onnxruntime")
elseif(DEFINED ENV{HOME})
  set(_ts_ort_default "$ENV{HOME}/.cache/twinseek/onnxruntime")
endif()
set(TWINSEEK_ONNXRUNTIME_ROOT "${_ts_ort_default}" CACHE PATH "ONNX Runtime root (include/ and lib/)")

set(TWINSEEK_HAVE_ONNXRUNTIME OFF)
if(NOT TWINSEEK_WITH_ONNXRUNTIME STREQUAL "OFF")
  find_path(ONNXRUNTIME_INCLUDE_DIR onnxruntime_cxx_api.h
            HINTS "${TWINSEEK_ONNXRUNTIME_ROOT}/include" NO_DEFAULT_PATH)
  find_library(ONNXRUNTIME_LIBRARY NAMES onnxruntime libonnxruntime.so.1
               HINTS "${TWINSEEK_ONNXRUNTIME_ROOT}/lib" NO_DEFAULT_PATH)
  if(ONNXRUNTIME_INCLUDE_DIR AND ONNXRUNTIME_LIBRARY)
    add_library(onnxruntime::onnxruntime SHARED IMPORTED)
    set_target_properties(onnxruntime::onnxruntime PROPERTIES
      IMPORTED_LOCATION "${ONNXRUNTIME_LIBRARY}"
      IMPORTED_NO_SONAME OFF
      INTERFACE_INCLUDE_DIRECTORIES "${ONNXRUNTIME_INCLUDE_DIR}")
    set(TWINSEEK_HAVE_ONNXRUNTIME ON)
    message(STATUS "ONNX Runtime: ${ONNXRUNTIME_LIBRARY}")
  elseif(TWINSEEK_WITH_ONNXRUNTIME STREQUAL "ON")
    message(FATAL_ERROR "TWINSEEK_WITH_ONNXRUNTIME=ON but no ONNX Runtime under ${TWINSEEK_ONNXRUNTIME_ROOT}; run scripts/setup.sh")
  else()
    message(STATUS "ONNX Runtime not found under ${TWINSEEK_ONNXRUNTIME_ROOT}: backend disabled (run scripts/setup.sh)")
  endif()
endif()
