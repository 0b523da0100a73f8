#include "app/xbt/Command.h"

#include <algorithm>
#include <sstream>

namespace xbt::cli {

// Defined in commands/<Name>Command.cpp.
Command makeInfoCommand();
Command makeTokenizeCommand();
Command makePreprocessCommand();
Command makeEmbedCommand();
Command makeBenchEmbedCommand();
Command makeBenchSearchCommand();
Command makeBenchQueryCommand();
Command makeSampleGenerateCommand();
Command makeTrainBaseCommand();
Command makeTrainCommand();
Command makeAdaptersCommand();
Command makeDemoCommand();
Command makeEvalCommand();
Command makeIndexCommand();
Command makeBackfillCommand();
Command makeImportCommand();
Command makeSearchCommand();
Command makeGalleriesCommand();
Command makeReportCommand();

const std::vector<Command>& commandTable()
{
    static const std::vector<Command> table = {
        makeInfoCommand(), makeTokenizeCommand(), makePreprocessCommand(), makeEmbedCommand(),
        makeBenchEmbedCommand(), makeBenchSearchCommand(), makeBenchQueryCommand(), makeSampleGenerateCommand(), makeTrainBaseCommand(),
        makeTrainCommand(), makeAdaptersCommand(), makeEvalCommand(), makeDemoCommand(), makeIndexCommand(), makeBackfillCommand(), makeImportCommand(), makeSearchCommand(), makeGalleriesCommand(),
        makeReportCommand(),
    };
    return table;
}

const Command* findCommand(const std::vector<std::string>& args, size_t& words)
{
    const Command* command = nullptr;
    words = 0;
    for (const Command& c : commandTable()) {
        const size_t n = static_cast<size_t>(std::count(c.name.begin(), c.name.end(), ' ')) + 1;
        if (n > args.size() || n <= words)
            continue;
        std::string joined = args[0];
        for (size_t i = 1; i < n; ++i)
            joined += " " + args[i];
        if (joined == c.name) {
            command = &c;
            words = n;
        }
    }
    return command;
}

std::string commandHelp(const Command& c)
{
    std::ostringstream s;
    s << "usage: " << c.usage << "\n\n" << c.summary << "\n";
    if (!c.options.empty()) {
        s << "\noptions:\n";
        for (const OptionSpec& o : c.options) {
            std::string flag = (o.name.size() == 1 ? "-" : "--") + o.name;
            if (!o.valueName.empty())
                flag += " " + o.valueName;
            s << "  " << flag;
            if (flag.size() < 28)
                s << std::string(28 - flag.size(), ' ');
            else
                s << "\n" << std::string(30, ' ');
            s << o.help << (o.repeatable ? " (repeatable)" : "") << "\n";
        }
    }
    return s.str();
}

}  // namespace xbt::cli
