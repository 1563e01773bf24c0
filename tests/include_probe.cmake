# The layering is enforced by the build: a unit that links the twin library cannot include a header of the store
# library above it (the compiler does not find it), while a header of a library it links compiles.
#   cmake -DBUILD=<build dir> -P include_probe.cmake
function(build_probe target out_result out_log)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} --target ${target}
                  RESULT_VARIABLE result OUTPUT_VARIABLE log ERROR_VARIABLE log)
  set(${out_result} ${result} PARENT_SCOPE)
  set(${out_log} "${log}" PARENT_SCOPE)
endfunction()

build_probe(twinseek_probe_linked linked_result linked_log)
if(NOT linked_result EQUAL 0)
  message(FATAL_ERROR "a header of a linked library did not compile:\n${linked_log}")
endif()
build_probe(twinseek_probe_upward upward_result upward_log)
if(upward_result EQUAL 0)
  message(FATAL_ERROR "store/twinstore.h compiled in a unit that links only twinseek_twin: the layering is not enforced")
endif()
if(NOT upward_log MATCHES "store/twinstore.h: No such file")
  message(FATAL_ERROR "the upward include failed for another reason than a missing header:\n${upward_log}")
endif()
message(STATUS "twin -> store include refused by the compiler; twin -> twin include accepted")
