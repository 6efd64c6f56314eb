// Runs the QtTest classes registered with TWINDESK_TEST in this module's executable.
// Usage: tst_<module> [ClassName] [QtTest options...]
//        tst_<module> --list-classes
#include "test_registry.h"

#include <QCoreApplication>

#include <cstring>
#include <iostream>
#include <vector>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    auto& tests = twindesk::test::registry();

    if (argc > 1 && std::strcmp(argv[1], "--list-classes") == 0) {
        for (const auto& entry : tests)
            std::cout << entry.first << '\n';
        return 0;
    }

    std::string only;
    std::vector<char*> args{argv[0]};
    int first = 1;
    if (argc > 1 && argv[1][0] != '-') {
        only = argv[1];
        first = 2;
        if (tests.find(only) == tests.end()) {
            std::cerr << "no test class named '" << only << "' (try --list-classes)\n";
            return 2;
        }
    }
    for (int i = first; i < argc; ++i)
        args.push_back(argv[i]);

    int failures = 0;
    for (const auto& [name, factory] : tests) {
        if (!only.empty() && name != only)
            continue;
        auto object = factory();
        failures += QTest::qExec(object.get(), static_cast<int>(args.size()), args.data());
    }
    return failures == 0 ? 0 : 1;
}
