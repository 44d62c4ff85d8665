# Layer views: the include root each layer compiles against.
#
# Sources include project headers by their path under src/ ("io/reactor.hpp") or include/
# ("ringhttpd/request.hpp"). A layer's view is a directory of symbolic links to exactly the
# directories and public headers that layer may use; it is the layer's only include root for
# project headers, so including anything above it fails with "No such file or directory".

# ringhttpd_layer_view(NAME ENTRY...): ENTRY is a directory under src/ ("io"), a public header
# ("ringhttpd/request.hpp") or every public header ("ringhttpd").
function(ringhttpd_layer_view name)
  set(view ${PROJECT_BINARY_DIR}/layers/${name})
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view})
  foreach(entry IN LISTS ARGN)
    if(entry STREQUAL "ringhttpd")
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/ringhttpd ${view}/ringhttpd SYMBOLIC)
    elseif(entry MATCHES "^ringhttpd/")
      file(MAKE_DIRECTORY ${view}/ringhttpd)
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/${entry} ${view}/${entry} SYMBOLIC)
    else()
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${entry} ${view}/${entry} SYMBOLIC)
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY RINGHTTPD_VIEW_${name} ${view})
endfunction()

# ringhttpd_use_view(TARGET NAME): TARGET compiles against view NAME, with the project's warnings.
function(ringhttpd_use_view target name)
  get_property(view GLOBAL PROPERTY RINGHTTPD_VIEW_${name})
  target_include_directories(${target} PRIVATE ${view})
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
endfunction()
