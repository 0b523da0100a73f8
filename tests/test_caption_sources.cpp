// Caption files in every format users bring: captions.tsv, sidecar .txt,
// CSV, COCO captions JSON, Flickr token files; strict errors name the file
// and line, lenient mode lists what it skipped.
#include "core/data/CaptionSources.h"
#include "core/util/Error.h"
#include "core/util/FileUtil.h"
#include "tests/TestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace xbt;
using namespace xbt::test;

namespace {

CaptionSourceOptions lenient()
{
    CaptionSourceOptions o;
    o.lenient = true;
    return o;
}

}  // namespace

class TestCaptionSources : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void captionsTsvFromFolderOrFile()
    {
        QTemporaryDir dir;
        const std::string file = writeTestFile(dir, "split/captions.tsv", "a.png\tA cat\tanimals\nb.png\tA dog\n\n");
        const LoadedCaptions fromFolder = loadCaptions(dir.filePath("split").toStdString());
        QCOMPARE(fromFolder.format, CaptionFormat::CaptionsTsv);
        QCOMPARE(fromFolder.captions.size(), size_t(2));
        QCOMPARE(QString::fromStdString(fromFolder.captions[0].path), QStringLiteral("a.png"));
        QCOMPARE(QString::fromStdString(fromFolder.captions[0].category), QStringLiteral("animals"));
        QCOMPARE(fromFolder.captions[1].line, 2);
        QVERIFY(fromFolder.captions[1].category.empty());
        // Paths in captions.tsv are relative to its folder; they are rebased onto the image root.
        CaptionSourceOptions o;
        o.imageRoot = dir.path().toStdString();
        const LoadedCaptions rebased = loadCaptions(file, o);
        QCOMPARE(QString::fromStdString(rebased.captions[1].path), QStringLiteral("split/b.png"));
    }

    void captionsTsvStrictAndLenient()
    {
        QTemporaryDir dir;
        const std::string file = writeTestFile(dir, "captions.tsv", "a.png\tok\nbad line\nc.png\tfine\n");
        VERIFY_CONTAINS(errorOf([&] { loadCaptions(file); }), "captions.tsv line 2");
        const LoadedCaptions r = loadCaptions(file, lenient());
        QCOMPARE(r.captions.size(), size_t(2));
        QCOMPARE(r.skipped.size(), size_t(1));
        QCOMPARE(r.skipped[0].line, 2);
        VERIFY_CONTAINS(QString::fromStdString(r.skipped[0].reason), "captions.tsv line 2: expected path TAB caption");
    }

    void sidecarTextFiles()
    {
        QTemporaryDir dir;
        writeTestFile(dir, "photo.jpg", "");
        writeTestFile(dir, "photo.txt", "first caption\n\n  second caption  \n");
        writeTestFile(dir, "sub/x.png", "");
        writeTestFile(dir, "sub/x.png.txt", "third\n");
        writeTestFile(dir, "uncaptioned.jpg", "");
        const LoadedCaptions r = loadCaptions(dir.path().toStdString());
        QCOMPARE(r.format, CaptionFormat::SidecarText);
        QCOMPARE(r.captions.size(), size_t(3));
        QCOMPARE(QString::fromStdString(r.captions[1].path), QStringLiteral("photo.jpg"));
        QCOMPARE(QString::fromStdString(r.captions[1].caption), QStringLiteral("second caption"));
        QCOMPARE(r.captions[1].line, 3);
        QCOMPARE(QString::fromStdString(r.captions[2].path), QStringLiteral("sub/x.png"));
        QVERIFY(QString::fromStdString(r.captions[2].file).endsWith("x.png.txt"));
    }

    void sidecarErrors()
    {
        QTemporaryDir dir;
        writeTestFile(dir, "a.jpg", "");
        writeTestFile(dir, "a.png", "");
        writeTestFile(dir, "a.txt", "which image?\n");
        writeTestFile(dir, "b.jpg", "");
        writeTestFile(dir, "b.txt", "fine\nbad \xff byte\n");
        const QString ambiguous = errorOf([&] { loadCaptions(dir.path().toStdString()); });
        VERIFY_CONTAINS(ambiguous, "a.txt");
        VERIFY_CONTAINS(ambiguous, "could belong to any of a.jpg, a.png");
        const LoadedCaptions r = loadCaptions(dir.path().toStdString(), lenient());
        QCOMPARE(r.captions.size(), size_t(1));
        QCOMPARE(r.skipped.size(), size_t(2));
        QCOMPARE(r.skipped[0].line, 0);
        VERIFY_CONTAINS(QString::fromStdString(r.skipped[1].reason), "b.txt line 2: not valid UTF-8");
        CaptionSourceOptions sidecar;
        sidecar.format = CaptionFormat::SidecarText;
        VERIFY_CONTAINS(errorOf([&] { loadCaptions(writeTestFile(dir, "c.txt", "x\n"), sidecar); }), "folder of images");
    }

    void csvWithHeaderAliases()
    {
        QTemporaryDir dir;
        // The Kaggle Flickr8k captions.txt is a CSV with an image,caption header.
        const std::string kaggle = writeTestFile(dir, "captions.txt", "image,caption\n1000268201.jpg,A child climbs .\n");
        const LoadedCaptions k = loadCaptions(kaggle);
        QCOMPARE(k.format, CaptionFormat::Csv);
        QCOMPARE(QString::fromStdString(k.captions[0].path), QStringLiteral("1000268201.jpg"));
        const std::string file =
            writeTestFile(dir, "meta.csv", "id, FilePath , Text,Category\r\n7,imgs/a.jpg,A red car,cars\r\n");
        const LoadedCaptions r = loadCaptions(file);
        QCOMPARE(r.captions.size(), size_t(1));
        QCOMPARE(QString::fromStdString(r.captions[0].path), QStringLiteral("imgs/a.jpg"));
        QCOMPARE(QString::fromStdString(r.captions[0].caption), QStringLiteral("A red car"));
        QCOMPARE(QString::fromStdString(r.captions[0].category), QStringLiteral("cars"));
    }

    void csvQuoting()
    {
        QTemporaryDir dir;
        const std::string file = writeTestFile(dir, "captions.csv",
                                       "\xef\xbb\xbfpath,caption\n"
                                       "\"a,1.jpg\",\"He said \"\"hi\"\", then left\"\n"
                                       "b.jpg,\"two\nlines\"\r\n"
                                       "c.jpg,plain \"quoted\" word\n"
                                       "d.jpg,\"\"\"all quoted\"\"\"\n");
        const LoadedCaptions r = loadCaptions(file);
        QCOMPARE(r.captions.size(), size_t(4));
        QCOMPARE(QString::fromStdString(r.captions[0].path), QStringLiteral("a,1.jpg"));
        QCOMPARE(QString::fromStdString(r.captions[0].caption), QStringLiteral("He said \"hi\", then left"));
        QCOMPARE(QString::fromStdString(r.captions[1].caption), QStringLiteral("two lines"));
        QCOMPARE(r.captions[1].line, 3);
        QCOMPARE(r.captions[2].line, 5);
        QCOMPARE(QString::fromStdString(r.captions[2].caption), QStringLiteral("plain \"quoted\" word"));
        QCOMPARE(QString::fromStdString(r.captions[3].caption), QStringLiteral("\"all quoted\""));
    }

    void csvMalformedLines()
    {
        QTemporaryDir dir;
        const std::string file = writeTestFile(dir, "captions.csv",
                                       "path,caption\na.jpg,ok\nb.jpg\nc.jpg,\"x\"y\nd.jpg,  \ne.jpg,bad\xc3\n"
                                       "f.jpg,fine\n");
        VERIFY_CONTAINS(errorOf([&] { loadCaptions(file); }),
                        "captions.csv line 3: expected 2 columns (path, caption), found 1");
        const LoadedCaptions r = loadCaptions(file, lenient());
        QCOMPARE(r.captions.size(), size_t(2));
        QCOMPARE(QString::fromStdString(r.captions[1].path), QStringLiteral("f.jpg"));
        QCOMPARE(r.skipped.size(), size_t(4));
        QCOMPARE(r.skipped[0].line, 3);
        QCOMPARE(r.skipped[1].line, 4);
        VERIFY_CONTAINS(QString::fromStdString(r.skipped[1].reason), "after a closing quote");
        VERIFY_CONTAINS(QString::fromStdString(r.skipped[2].reason), "line 5: empty caption for d.jpg");
        VERIFY_CONTAINS(QString::fromStdString(r.skipped[3].reason), "line 6: not valid UTF-8");

        const std::string unclosed = writeTestFile(dir, "open.csv", "path,caption\na.jpg,ok\nb.jpg,\"never closed\nc.jpg,x\n");
        VERIFY_CONTAINS(errorOf([&] { loadCaptions(unclosed); }), "open.csv line 3: the quoted field opened on line 3");
    }

    void csvMissingColumnNamesHeader()
    {
        QTemporaryDir dir;
        const QString noPath = errorOf([&] { loadCaptions(writeTestFile(dir, "a.csv", "name,description\nx.jpg,y\n")); });
        VERIFY_CONTAINS(noPath, "a.csv line 1: the header (name, description) has no image path column");
        const QString noCaption = errorOf([&] { loadCaptions(writeTestFile(dir, "b.csv", "path,label\nx.jpg,y\n")); });
        VERIFY_CONTAINS(noCaption, "no caption column; expected one of caption, text, title");
    }

    void pathsMustStayInsideTheImageRoot()
    {
        QTemporaryDir dir;
        const std::string inside = dir.filePath("imgs/a.jpg").toStdString();
        const std::string file =
            writeTestFile(dir, "captions.csv", "path,caption\n" + inside + ",absolute\n../x.jpg,outside\nhttp://h/a.jpg,url\n");
        const LoadedCaptions r = loadCaptions(file, lenient());
        QCOMPARE(r.captions.size(), size_t(1));
        QCOMPARE(QString::fromStdString(r.captions[0].path), QStringLiteral("imgs/a.jpg"));
        QCOMPARE(r.skipped.size(), size_t(2));
        VERIFY_CONTAINS(QString::fromStdString(r.skipped[0].reason), "line 3: '../x.jpg' is outside the image root");
        VERIFY_CONTAINS(QString::fromStdString(r.skipped[1].reason), "line 4: 'http://h/a.jpg' is a URL");
    }

    void cocoCaptions()
    {
        QTemporaryDir dir;
        QDir().mkpath(dir.filePath("val2017"));
        const std::string file = writeTestFile(dir, "annotations/captions_val2017.json", R"({
            "info": {}, "images": [{"id": 139, "file_name": "000000000139.jpg", "width": 640},
                                   {"id": 285, "file_name": "000000000285.jpg"}],
            "annotations": [{"id": 1, "image_id": 139, "caption": "A room with a TV. "},
                            {"id": 2, "image_id": 285, "caption": "A bear."},
                            {"id": 3, "image_id": 99, "caption": "An orphan caption"},
                            {"id": 4, "image_id": 139, "caption": "Chairs."}]})");
        QCOMPARE(detectCaptionFormat(file), CaptionFormat::CocoJson);
        const QString unknown = errorOf([&] { loadCaptions(file); });
        VERIFY_CONTAINS(unknown, "captions_val2017.json annotation 3: image_id 99 is not in \"images\"");
        CaptionSourceOptions o = lenient();
        o.imageRoot = dir.filePath("val2017").toStdString();
        const LoadedCaptions r = loadCaptions(file, o);
        QCOMPARE(r.captions.size(), size_t(3));
        QCOMPARE(QString::fromStdString(r.captions[0].path), QStringLiteral("000000000139.jpg"));
        QCOMPARE(QString::fromStdString(r.captions[0].caption), QStringLiteral("A room with a TV."));
        QCOMPARE(r.captions[2].line, 4);
        QCOMPARE(r.skipped.size(), size_t(1));
        QCOMPARE(r.skipped[0].line, 3);
    }

    void cocoWrongFiles()
    {
        QTemporaryDir dir;
        VERIFY_CONTAINS(errorOf([&] { loadCaptions(writeTestFile(dir, "x.json", "{\"images\": [}")); }), "not valid JSON");
        VERIFY_CONTAINS(errorOf([&] { loadCaptions(writeTestFile(dir, "y.json", "[1, 2]")); }), "expected COCO captions JSON");
        const std::string instances =
            writeTestFile(dir, "instances_val2017.json",
                  R"({"images": [{"id": 1, "file_name": "a.jpg"}],
                      "annotations": [{"image_id": 1, "category_id": 3, "bbox": [0, 0, 1, 1]}]})");
        VERIFY_CONTAINS(errorOf([&] { loadCaptions(instances); }), "not captions");
    }

    void flickrTokenFiles()
    {
        QTemporaryDir dir;
        const std::string content = "1000092795.jpg#0\tTwo young guys with shaggy hair .\n"
                                    "1000092795.jpg#1\tTwo men in green shirts .\n"
                                    "no-hash.jpg\tA caption\n";
        const std::string token = writeTestFile(dir, "results_20130124.token", content);
        const std::string txt = writeTestFile(dir, "captions.txt", content);
        QCOMPARE(detectCaptionFormat(token), CaptionFormat::FlickrToken);
        QCOMPARE(detectCaptionFormat(txt), CaptionFormat::FlickrToken);
        VERIFY_CONTAINS(errorOf([&] { loadCaptions(token); }),
                        "results_20130124.token line 3: expected image#N TAB caption");
        const LoadedCaptions r = loadCaptions(txt, lenient());
        QCOMPARE(r.format, CaptionFormat::FlickrToken);
        QCOMPARE(r.captions.size(), size_t(2));
        QCOMPARE(QString::fromStdString(r.captions[1].path), QStringLiteral("1000092795.jpg"));
        QCOMPARE(QString::fromStdString(r.captions[1].caption), QStringLiteral("Two men in green shirts ."));
        QCOMPARE(r.skipped.size(), size_t(1));
        // A name with the explicit format overrides the .txt guess.
        CaptionSourceOptions o;
        o.format = CaptionFormat::CaptionsTsv;
        QCOMPARE(QString::fromStdString(loadCaptions(txt, o).captions[0].path), QStringLiteral("1000092795.jpg#0"));
    }

    void detectionAndFormatNames()
    {
        QTemporaryDir dir;
        VERIFY_CONTAINS(errorOf([&] { detectCaptionFormat(writeTestFile(dir, "notes.txt", "just some words\n")); }),
                        "cannot tell the caption format");
        QCOMPARE(detectCaptionFormat(writeTestFile(dir, "pairs.txt", "a.jpg\ta caption\n")), CaptionFormat::CaptionsTsv);
        VERIFY_CONTAINS(errorOf([&] { detectCaptionFormat(dir.filePath("missing.csv").toStdString()); }),
                        "no such caption file");
        for (CaptionFormat f : {CaptionFormat::Auto, CaptionFormat::CaptionsTsv, CaptionFormat::SidecarText,
                                CaptionFormat::Csv, CaptionFormat::CocoJson, CaptionFormat::FlickrToken})
            QCOMPARE(parseCaptionFormat(captionFormatName(f)), f);
        VERIFY_CONTAINS(errorOf([] { parseCaptionFormat("yaml"); }),
                        "expected auto, tsv, sidecar, csv, coco or flickr");
        VERIFY_CONTAINS(errorOf([&] { loadCaptions(writeTestFile(dir, "only-header.csv", "path,caption\n")); }),
                        "no captions found");
    }
};

QTEST_GUILESS_MAIN(TestCaptionSources)
#include "test_caption_sources.moc"
