"""Typed facts about hardware and models, validated once and shared by every cloud."""
