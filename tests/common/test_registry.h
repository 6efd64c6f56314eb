#pragma once
/// \file test_registry.h
/// One QtTest executable per module, several test classes inside it.
///
/// Each tst_*.cpp defines a QObject test class and ends with `TWINDESK_TEST(ClassName)`.
/// The module's executable (test_main.cpp) runs every registered class, or only the one
/// named by the first argument (`tst_twin Units -v2`), so CTest can register one test per
/// class while the build links a single binary per module.

#include <QObject>
#include <QtTest>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace twindesk::test {

using TestFactory = std::function<std::unique_ptr<QObject>()>;

inline std::map<std::string, TestFactory>& registry()
{
    static std::map<std::string, TestFactory> tests;
    return tests;
}

struct Registrar
{
    Registrar(const char* name, TestFactory factory)
    {
        registry().emplace(name, std::move(factory));
    }
};

} // namespace twindesk::test

#define TWINDESK_TEST(Class)                                                                       \
    static const twindesk::test::Registrar twindeskRegistrar##Class(                               \
        #Class, [] { return std::make_unique<Class>(); });
