#include "core/sample/SceneDescription.h"

#include <algorithm>
#include <utility>

namespace xbt {

namespace {

std::string sortedPair(const char* a, const char* b)
{
    std::string x = a, y = b;
    if (y < x)
        std::swap(x, y);
    return x + "/" + y;
}

}  // namespace

std::string ObjectLook::key() const
{
    return std::string(sizeName(size)) + " " + fillName(fill) + " " + colourName(colour) + " " + shapeName(shape);
}

ObjectLook ObjectLook::fromIndex(int index)
{
    ObjectLook look;
    look.fill = static_cast<Fill>(index % kFillCount);
    index /= kFillCount;
    look.size = static_cast<Size>(index % kSizeCount);
    index /= kSizeCount;
    look.colour = static_cast<Colour>(index % kColourCount);
    index /= kColourCount;
    look.shape = static_cast<Shape>(index);
    return look;
}

std::string SceneDescription::signature() const
{
    std::string s = categoryName(category);
    switch (category) {
    case Category::Single:
        return s + ":" + objects.at(0).key() + "|" + locationName(location);
    case Category::Count:
        return s + ":" + std::to_string(count) + "|" + objects.at(0).key() + "|" + arrangementName(arrangement) + "|"
               + locationName(location);
    case Category::Binding: {
        std::string a = objects.at(0).key(), b = objects.at(1).key();
        if (b < a)
            std::swap(a, b);
        return s + ":" + a + "|and|" + b;
    }
    case Category::Relation:
        return s + ":" + objects.at(0).key() + (relation == Relation::LeftOf ? "|left-of|" : "|above|")
               + objects.at(1).key();
    }
    return s;
}

std::string twoObjectOrbitKey(const ObjectLook& a, const ObjectLook& b)
{
    return sortedPair(shapeName(a.shape), shapeName(b.shape)) + ","
           + sortedPair(colourName(a.colour), colourName(b.colour)) + ","
           + sortedPair(sizeName(a.size), sizeName(b.size)) + ","
           + sortedPair(fillName(a.fill), fillName(b.fill));
}

const char* shapeName(Shape s)
{
    static const char* const names[] = {"circle", "square", "triangle", "star", "hexagon", "diamond", "cross", "heart"};
    return names[static_cast<int>(s)];
}

const char* colourName(Colour c)
{
    static const char* const names[] = {"red",    "orange", "yellow", "green", "cyan",
                                        "blue",   "purple", "pink",   "brown", "gray"};
    return names[static_cast<int>(c)];
}

const char* sizeName(Size s)
{
    static const char* const names[] = {"small", "medium", "large"};
    return names[static_cast<int>(s)];
}

const char* fillName(Fill f)
{
    static const char* const names[] = {"solid", "striped", "outlined"};
    return names[static_cast<int>(f)];
}

const char* categoryName(Category c)
{
    static const char* const names[] = {"single", "binding", "relation", "count"};
    return names[static_cast<int>(c)];
}

const char* locationName(Location l)
{
    static const char* const names[] = {"top-left", "top",         "top-right", "left", "center",
                                        "right",    "bottom-left", "bottom",    "bottom-right", "none"};
    return names[static_cast<int>(l)];
}

const char* arrangementName(Arrangement a)
{
    static const char* const names[] = {"none", "row", "column"};
    return names[static_cast<int>(a)];
}

const std::vector<Category>& allCategories()
{
    static const std::vector<Category> all = {Category::Single, Category::Binding, Category::Relation, Category::Count};
    return all;
}

}  // namespace xbt
