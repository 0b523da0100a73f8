#pragma once
// What a sample-world scene shows, in the terms its captions use: the
// attributes every caption of the scene states. Two scenes with the same
// signature() would be described by the same captions, so a split never holds
// two scenes with one signature.

#include <string>
#include <vector>

namespace xbt {

enum class Shape { Circle, Square, Triangle, Star, Hexagon, Diamond, Cross, Heart };
enum class Colour { Red, Orange, Yellow, Green, Cyan, Blue, Purple, Pink, Brown, Gray };
enum class Size { Small, Medium, Large };
enum class Fill { Solid, Striped, Outlined };

constexpr int kShapeCount = 8;
constexpr int kColourCount = 10;
constexpr int kSizeCount = 3;
constexpr int kFillCount = 3;
constexpr int kLookCount = kShapeCount * kColourCount * kSizeCount * kFillCount;

// single: one object at a stated location. binding: two objects joined by
// "and"/"with"/"next to", no direction. relation: two objects, one left of or
// above the other. count: two or three identical objects in a row or column.
enum class Category { Single, Binding, Relation, Count };
constexpr int kCategoryCount = 4;

// The nine cells of a 3x3 grid; a count scene's band uses Top/Center/Bottom
// (rows) or Left/Center/Right (columns).
enum class Location { TopLeft, Top, TopRight, Left, Center, Right, BottomLeft, Bottom, BottomRight, None };
constexpr int kLocationCount = 9;

enum class Arrangement { None, Row, Column };
// Stored in canonical direction: objects[0] is left of / above objects[1].
enum class Relation { None, LeftOf, Above };

struct ObjectLook {
    Shape shape = Shape::Circle;
    Colour colour = Colour::Red;
    Size size = Size::Small;
    Fill fill = Fill::Solid;

    bool operator==(const ObjectLook& o) const
    {
        return shape == o.shape && colour == o.colour && size == o.size && fill == o.fill;
    }
    bool operator!=(const ObjectLook& o) const { return !(*this == o); }
    // "small striped red circle".
    std::string key() const;
    // Looks are numbered 0 .. kLookCount-1, for enumeration.
    static ObjectLook fromIndex(int index);
};

struct SceneDescription {
    Category category = Category::Single;
    // single and count: one look; binding and relation: two.
    std::vector<ObjectLook> objects;
    int count = 1;
    Relation relation = Relation::None;
    Location location = Location::None;
    Arrangement arrangement = Arrangement::None;

    // Canonical: a binding's two looks are sorted, a relation is stated
    // left-to-right or top-to-bottom.
    std::string signature() const;
};

// The key shared by every two-object scene whose looks differ only in which
// object carries which attribute value (the attribute-binding orbit): per
// attribute, the sorted pair of values. Hard-case twins share it.
std::string twoObjectOrbitKey(const ObjectLook& a, const ObjectLook& b);

const char* shapeName(Shape s);
const char* colourName(Colour c);
const char* sizeName(Size s);
const char* fillName(Fill f);
const char* categoryName(Category c);
const char* locationName(Location l);
const char* arrangementName(Arrangement a);
const std::vector<Category>& allCategories();

}  // namespace xbt
