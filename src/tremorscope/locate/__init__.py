"""Locate people and body parts: pose landmarks, people tracks, regions."""
