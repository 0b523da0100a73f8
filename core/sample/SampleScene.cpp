#include "core/sample/SampleScene.h"

#include <cstdio>

namespace xbt {

std::string SampleScene::fileName() const
{
    char name[32];
    std::snprintf(name, sizeof name, "%06d.png", index);
    return name;
}

}  // namespace xbt
